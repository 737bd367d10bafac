// Private to dcplan_core: escaping text for the formats it writes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dcplan::text {

//! & < > " escaped for XML and HTML text and attributes.
[[nodiscard]] std::string xml_escape(std::string_view s);

//! The pieces of `s` between separators: "a:b:" → {"a", "b", ""}; "" → {""}.
[[nodiscard]] std::vector<std::string> split(std::string_view s, char separator);

//! " \ and control characters escaped for a JSON string.
[[nodiscard]] std::string json_escape(std::string_view s);

}  // namespace dcplan::text
