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
    }

    struct Attribute {
        /// In `names`.
        var name: Int
        var isName: Bool
        var items: Range<Int>
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

        mutating func name(_ s: String) -> Int {
            names.append(JSONObject.MemberKey(s))
            return names.count - 1
        }

        mutating func literal(_ v: EvtxValue) -> Item {
            literals.append(v)
            return .value(literals.count - 1)
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
