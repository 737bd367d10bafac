// Private to dcplan_core: reading and parsing JSON files, JSON pointers, excerpts for messages.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace dcplan::jsonio {

using json = nlohmann::json;

// Bounds on untrusted input: a scenario file's size, and how deeply its values may nest.
inline constexpr std::size_t kMaxFileBytes = 64u * 1024u * 1024u;  //!< 64 MiB
inline constexpr std::size_t kMaxDepth = 128;                      //!< nesting levels

//! Reads a whole file ("-" reads standard input). Throws InputError naming the file.
[[nodiscard]] std::string read_text(const std::string& path);
//! Reads a whole regular file from an open descriptor (at most kMaxFileBytes); `path` names it
//! in messages. Throws InputError.
[[nodiscard]] std::string read_fd(int fd, const std::string& path);

//! Parses JSON text: a leading UTF-8 byte-order mark is skipped; duplicate keys, nesting deeper
//! than kMaxDepth and syntax errors throw InputError with the file and line:column or pointer.
[[nodiscard]] json parse(std::string_view text, const std::string& file);

//! "/a/b~1c" for tokens {"a", "b/c"}.
// JSON pointers (RFC 6901) name the place of a problem in every message, whichever file or
// --set it came from.
[[nodiscard]] std::string pointer(const std::vector<std::string>& tokens);
//! One token of a JSON pointer, "~" and "/" escaped (RFC 6901).
[[nodiscard]] std::string escape_token(std::string_view token);
//! Splits a JSON pointer into unescaped tokens; throws InputError when malformed.
[[nodiscard]] std::vector<std::string> split_pointer(std::string_view pointer);

//! A short description of a value for messages: `a string "abc"`, `the number 5`, `an object`.
[[nodiscard]] std::string describe(const json& value);
//! The value as compact JSON, cut like text::excerpt.
[[nodiscard]] std::string excerpt_json(const json& value);
//! text::excerpt, where the JSON helpers are already included.
[[nodiscard]] std::string excerpt(std::string_view text);

}  // namespace dcplan::jsonio
