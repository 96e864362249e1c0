// SPDX-License-Identifier: MIT
#include "config/config_editor.h"

#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/suggest.h"
#include "config/config_schema.h"

namespace lfsw {

namespace {

std::vector<std::string> split(const std::string& dottedKey)
{
    std::vector<std::string> parts;
    std::istringstream stream(dottedKey);
    for (std::string part; std::getline(stream, part, '.');)
        parts.push_back(part);
    return parts;
}

// The end (exclusive) of the scalar that starts at `start` in `text`, or npos
// when it does not end on its line.
std::size_t scalarEnd(const std::string& text, std::size_t start, bool inFlow)
{
    const std::size_t lineEnd = std::min(text.find('\n', start), text.size());
    const char quote = text[start];
    if (quote == '"' || quote == '\'') {
        for (std::size_t i = start + 1; i < lineEnd; ++i) {
            if (quote == '"' && text[i] == '\\') {
                ++i;
                continue;
            }
            if (text[i] == quote) {
                if (quote == '\'' && i + 1 < lineEnd && text[i + 1] == '\'') {
                    ++i;
                    continue;
                }
                return i + 1;
            }
        }
        return std::string::npos;
    }
    if (quote == '|' || quote == '>')
        return std::string::npos; // a block scalar spans lines
    std::size_t end = start;
    while (end < lineEnd) {
        if (text[end] == '#' && end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
            break;
        if (inFlow && (text[end] == ',' || text[end] == '}' || text[end] == ']'))
            break;
        ++end;
    }
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        --end;
    return end;
}

} // namespace

Expected<ConfigEditor::Edit> ConfigEditor::set(const std::string& original,
                                               const std::string& dottedKey,
                                               const std::string& value)
{
    const SchemaNode* schema = ConfigSchema::find(dottedKey);
    if (!schema || schema->type == ValueType::Map) {
        return Unexpected("'" + dottedKey + "' is not a key that holds a value" +
                          didYouMean(dottedKey, ConfigSchema::leafKeys()) +
                          " (see docs/config.md or `lfs-wrapper config show`)");
    }
    YAML::Node newValue;
    try {
        newValue = YAML::Load(value);
    } catch (const YAML::ParserException& e) {
        return Unexpected("the value '" + value + "' is not valid YAML: " + e.msg);
    }
    YAML::Node document;
    try {
        document = original.empty() ? YAML::Node(YAML::NodeType::Map) : YAML::Load(original);
    } catch (const YAML::ParserException& e) {
        return Unexpected("the config file is not valid YAML (line " +
                          std::to_string(e.mark.line + 1) + "): " + e.msg);
    }
    if (document.IsNull())
        document = YAML::Node(YAML::NodeType::Map);
    if (!document.IsMap())
        return Unexpected("the config file's top level is not a map");

    const auto parts = split(dottedKey);
    // Find the current node, read-only.
    YAML::Node parent;
    parent.reset(document);
    YAML::Node current;
    bool found = true;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const YAML::Node& constParent = parent;
        YAML::Node next = constParent[parts[i]];
        if (!next.IsDefined() || (i + 1 < parts.size() && !next.IsMap())) {
            found = false;
            break;
        }
        if (i + 1 < parts.size())
            parent.reset(next);
        else
            current.reset(next);
    }

    if (found && current.IsScalar() && newValue.IsScalar() && !current.Mark().is_null()) {
        const std::size_t start = static_cast<std::size_t>(current.Mark().pos);
        const bool inFlow = parent.Style() == YAML::EmitterStyle::Flow;
        const std::size_t end = scalarEnd(original, start, inFlow);
        if (end != std::string::npos) {
            YAML::Emitter out;
            out << newValue;
            return Edit{original.substr(0, start) + out.c_str() + original.substr(end), true};
        }
    }

    // Build the path of maps and set the value, then write the whole document.
    std::vector<YAML::Node> chain{document};
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        YAML::Node next = chain.back()[parts[i]];
        if (!next.IsMap())
            chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
        chain.push_back(chain.back()[parts[i]]);
    }
    chain.back()[parts.back()] = newValue;
    YAML::Emitter out;
    out << document;
    return Edit{std::string(out.c_str()) + "\n", false};
}

} // namespace lfsw
