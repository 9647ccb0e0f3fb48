import Model

/// A `detection:` block (named selections and a condition) as one filter. Every problem in it
/// is collected, so an analyst fixing a rule sees all of them at once.
struct SigmaDetectionCompiler {
    let values: SigmaValueCompiler
    private(set) var issues: [RuleError] = []

    init(mapping: SigmaFieldMapping) {
        values = SigmaValueCompiler(mapping: mapping)
    }

    /// Nil when anything in the block could not be expressed (see `issues`).
    mutating func compile(_ detection: SigmaNode) -> Filter? {
        guard let entries = detection.entries else {
            issues.append(RuleError("'detection' must be a map of selections and a condition, not \(detection.shape)", at: detection.place))
            return nil
        }
        var selections: [SigmaCondition.Selection] = []
        var condition: SigmaNode?
        for entry in entries {
            switch entry.key {
            case "condition": condition = entry.value
            // Only aggregations read it, and those are reported where the condition has them.
            case "timeframe": continue
            default:
                // A selection that fails still joins the condition, so the condition's own
                // problems are found too; the rule is not imported either way.
                let filter = selection(entry.value, name: entry.key) ?? .always
                selections.append(SigmaCondition.Selection(name: entry.key, filter: filter))
            }
        }
        guard let condition else {
            issues.append(RuleError("'detection' has no condition", at: detection.place))
            return nil
        }
        var conditions: [(String, Place)] = []
        switch condition.value {
        case .list(let items):
            // Sigma 1 allowed several conditions: the rule matches when any does.
            for item in items {
                guard let t = item.text else {
                    issues.append(RuleError("a condition is a text like 'selection and not filter'", at: item.place))
                    return nil
                }
                conditions.append((t, item.place))
            }
        default:
            guard let t = condition.text else {
                issues.append(RuleError("a condition is a text like 'selection and not filter'", at: condition.place))
                return nil
            }
            conditions.append((t, condition.place))
        }
        var filters: [Filter] = []
        for (text, place) in conditions {
            do {
                filters.append(try SigmaCondition.compile(text, at: place, selections: selections))
            } catch {
                issues.append(error)
            }
        }
        guard issues.isEmpty, !filters.isEmpty else { return nil }
        return SigmaFilters.any(filters)
    }

    /// A selection: a map is all of its fields; a list is any of its items (maps, or keywords).
    private mutating func selection(_ node: SigmaNode, name: String) -> Filter? {
        switch node.value {
        case .map(let entries):
            guard !entries.isEmpty else {
                issues.append(RuleError("selection '\(name)' is empty", at: node.place))
                return nil
            }
            return fields(entries)
        case .list(let items):
            guard !items.isEmpty else {
                issues.append(RuleError("selection '\(name)' is an empty list", at: node.place))
                return nil
            }
            var alternatives: [Filter] = []
            for item in items {
                switch item.value {
                case .map(let entries):
                    guard let f = fields(entries) else { return nil }
                    alternatives.append(f)
                case .list:
                    issues.append(RuleError("selection '\(name)' has a list inside its list", at: item.place))
                    return nil
                default:
                    guard let f = keyword(item) else { return nil }
                    alternatives.append(f)
                }
            }
            return SigmaFilters.any(alternatives)
        case .text, .number:
            return keyword(node)
        case .bool, .null:
            issues.append(RuleError("selection '\(name)' is \(node.shape); it needs fields or keywords", at: node.place))
            return nil
        }
    }

    private mutating func fields(_ entries: [SigmaNode.Entry]) -> Filter? {
        var all: [Filter] = []
        var failed = false
        for entry in entries {
            do {
                all.append(try values.filter(key: entry.key, keyPlace: entry.place, value: entry.value))
            } catch {
                issues.append(error)
                failed = true
            }
        }
        return failed ? nil : SigmaFilters.all(all)
    }

    private mutating func keyword(_ node: SigmaNode) -> Filter? {
        do {
            return try values.filter(spec: SigmaFieldSpec(field: nil, modifiers: [], key: node.text ?? ""), keyPlace: node.place, value: node)
        } catch {
            issues.append(error)
            return nil
        }
    }
}
