import Model

/// A template (or a fragment's inline elements) as BinXML parsing leaves it: flat arrays of
/// elements, attributes and content items that index each other. A template is parsed once per
/// chunk; each record only decodes its values and writes JSON by walking this with them
/// (`BinXMLJSON`), so no per-record tree is built.
///
/// Elements, attributes and items are plain data (names, literal text and inner instances sit
/// in side tables, referred to by position): walking them for every record then copies no
/// references, which would each cost a retain and a release.
final class BinXMLTree {
    struct Element {
        /// In `names`.
        var name: Int
        /// `Data`, whose `Name` attribute names its value in the JSON.
        var isData: Bool
        var attributes: Range<Int>
        var children: Range<Int>
        /// When the content is one hole (`<EventID>%1</EventID>`, most elements): that item,
        /// whose value is then the element's text without gathering.
        var hole: Int?
        /// A Data element whose first Name attribute is literal text: that name, in `names`.
        var dataName: Int?
        /// Its attributes' names differ, and so do its elements' keys (all known from the
        /// template): its JSON members go in without looking for a repeat.
        var distinctAttributes: Bool
        var distinctChildren: Bool
    }

    struct Attribute {
        /// In `names`.
        var name: Int
        var isName: Bool
        var items: Range<Int>
        /// When the value is one hole (`ProcessID="%4"`): that item.
        var hole: Int?
    }

    enum Item {
        case element(Int)
        /// In `literals`.
        case value(Int)
        /// A hole that the instance's value `id` fills; an optional one with no value goes.
        case substitution(id: Int, optional: Bool)
        /// A template instance inside a template or fragment, already filled; in `instances`.
        case instance(Int)
    }

    // Constants once built (a class's variables would be checked for exclusive access on
    // every read).
    let elements: [Element]
    let attributes: [Attribute]
    let items: [Item]
    /// The top level: elements and template instances, in order.
    let roots: [Item]
    /// Element and attribute names as JSON keys, their tags worked out once per chunk.
    let names: [JSONObject.MemberKey]
    let literals: [EvtxValue]
    let instances: [BinXMLInstance]

    init(_ b: Builder) {
        elements = b.elements
        attributes = b.attributes
        items = b.items
        roots = b.roots
        names = b.names
        literals = b.literals
        instances = b.instances
    }

    /// What the parser appends to as it goes.
    struct Builder {
        var elements: [Element] = []
        var attributes: [Attribute] = []
        var items: [Item] = []
        var roots: [Item] = []
        var names: [JSONObject.MemberKey] = []
        var literals: [EvtxValue] = []
        var instances: [BinXMLInstance] = []
        /// Content and attributes of the elements being parsed, not yet placed.
        var pending: [Item] = []
        var pendingAttributes: [Attribute] = []

        mutating func name(_ s: String) -> Int {
            names.append(JSONObject.MemberKey(s))
            return names.count - 1
        }

        mutating func literal(_ v: EvtxValue) -> Item {
            literals.append(v)
            return .value(literals.count - 1)
        }

        /// The item of `items` when it is a lone hole.
        func hole(_ items: Range<Int>) -> Int? {
            guard items.count == 1, case .substitution = self.items[items.lowerBound] else { return nil }
            return items.lowerBound
        }

        /// The text of `items` when they are all literal (and there are some), else nil.
        func literalText(_ items: Range<Int>) -> String? {
            guard !items.isEmpty else { return nil }
            var text = ""
            for i in items {
                guard case .value(let v) = self.items[i] else { return nil }
                text += EvtxJSON.plain(literals[v])
            }
            return text
        }

        /// Whether the element keys of `items` are all known now (no holes, which may hold
        /// elements; no unnamed Data, which gathers) and differ from each other and from
        /// `#attributes`.
        func distinctKeys(_ items: Range<Int>) -> Bool {
            var keys: [Int] = []
            for i in items {
                switch self.items[i] {
                case .value: continue
                case .substitution, .instance: return false
                case .element(let e):
                    let el = elements[e]
                    if el.isData && el.dataName == nil { return false }
                    keys.append(el.dataName ?? el.name)
                }
            }
            return distinct(keys, besides: "#attributes")
        }

        func distinctNames(_ attributes: Range<Int>) -> Bool {
            distinct(self.attributes[attributes].map(\.name), besides: nil)
        }

        /// Whether the names differ from each other and from `besides`: pairwise, as elements
        /// have a few dozen at most (a set beyond).
        private func distinct(_ keys: [Int], besides: String?) -> Bool {
            if let besides, keys.contains(where: { names[$0].string == besides }) { return false }
            guard keys.count > 1 else { return true }
            guard keys.count <= 64 else {
                var seen = Set<String>()
                return keys.allSatisfy { seen.insert(names[$0].string).inserted }
            }
            for i in 1..<keys.count {
                let a = names[keys[i]].string
                for j in 0..<i where names[keys[j]].string == a { return false }
            }
            return true
        }

        mutating func instance(_ i: BinXMLInstance) -> Item {
            instances.append(i)
            return .instance(instances.count - 1)
        }
    }
}

/// A tree with the values that fill its holes; nil for elements outside any template, whose
/// holes (if any) stay empty and whose attributes all stay.
struct BinXMLInstance {
    let tree: BinXMLTree
    let values: [BinXMLValue]?
}

/// A substitution value: a typed value, or BinXML (a fragment, usually another template
/// instance such as an event's EventData).
enum BinXMLValue {
    case value(EvtxValue)
    case fragment(BinXMLInstance)
}
