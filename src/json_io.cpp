// Reading and parsing JSON for the loader and the gates file (json_io.hpp). The input may be
// hostile: files are bounded in size, only regular files are read, parsing is bounded in depth
// and refuses duplicate keys, and messages quote input only as short excerpts.
#include "json_io.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>

#include "dcplan/error.hpp"
#include "text.hpp"

namespace dcplan::jsonio {

namespace {

//! One open object or array of the Checker's stack: its keys so far (for duplicates), the
//! current key or index (for the pointer in messages).
struct Frame {
  bool array = false;
  std::string key;
  std::size_t index = 0;
  std::set<std::string> keys;
};

//! The JSON pointer of the value being parsed, from the first `upto` frames.
std::string frames_pointer(const std::vector<Frame>& stack, std::size_t upto) {
  std::string out;
  for (std::size_t i = 0; i < upto; ++i) {
    out += "/";
    out += stack[i].array ? std::to_string(stack[i].index) : escape_token(stack[i].key);
  }
  return out;
}

//! 1-based line and column of byte `byte`; the column counts bytes, not characters.
void line_column(std::string_view text, std::size_t byte, int& line, int& column) {
  line = 1;
  column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

}  // namespace

//! (Declared in json_io.hpp.) For the file the user names on the command line (and the gates
//! file): not confined to a root, since the user chose it, but a directory, a device or a FIFO
//! is refused and the size bounded. Standard input is read up to the same bound.
std::string read_text(const std::string& path) {
  // Standard input cannot be stat'ed for its size in advance: the bound is checked as it is
  // read.
  if (path == "-") {
    std::string text;
    char buffer[65536];
    while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
      text.append(buffer, static_cast<std::size_t>(std::cin.gcount()));
      if (text.size() > kMaxFileBytes) {
        throw InputError(path, "", "standard input is larger than the limit of 64 MiB");
      }
    }
    return text;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw InputError(path, "", std::string("cannot read the file: ") + std::strerror(errno));
  }
  // Checked before opening: a directory opens but reads as an error, a FIFO would block.
  if (S_ISDIR(st.st_mode)) {
    throw InputError(path, "", "expected a JSON file, found a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    throw InputError(path, "", "expected a regular JSON file");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxFileBytes) {
    throw InputError(path, "",
                     "the file is " + std::to_string(st.st_size / (1024 * 1024)) +
                         " MiB, larger than the limit of 64 MiB for a scenario file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", std::string("cannot open the file: ") + std::strerror(errno));
  // The size was checked above; a file that grows meanwhile is read whole all the same (the
  // user named it; the bound on what an include may read is read_fd's).
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path, "", "error while reading the file");
  return text;
}

//! (Declared in json_io.hpp.) Checked by fstat on the descriptor that is read, so the checks
//! apply to the very file opened (load/files.cpp opens it confined). The size is checked again
//! while reading: a file that grows after fstat still cannot exceed the bound.
std::string read_fd(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw InputError(path, "", std::string("cannot read the file: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path, "", "expected a JSON file, found a directory");
  if (!S_ISREG(st.st_mode)) throw InputError(path, "", "expected a regular JSON file");
  if (static_cast<std::size_t>(st.st_size) > kMaxFileBytes) {
    throw InputError(path, "",
                     "the file is " + std::to_string(st.st_size / (1024 * 1024)) +
                         " MiB, larger than the limit of 64 MiB for a scenario file");
  }
  std::string text;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      // EAGAIN cannot come from a regular file, but the descriptor was opened O_NONBLOCK
      // (load/files.cpp): it is retried like EINTR rather than reported.
      if (errno == EINTR || errno == EAGAIN) continue;
      throw InputError(path, "",
                       std::string("error while reading the file: ") + std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      throw InputError(path, "", "the file grew past the limit of 64 MiB while it was read");
    }
  }
  return text;
}

namespace {

//! A first, DOM-free pass over the text: nesting depth, duplicate keys and syntax errors, in
//! linear time. (nlohmann's callback parser rescans the parent object at every end_object,
//! which is quadratic for an object with 100,000 members.)
class Checker : public nlohmann::json_sax<json> {
 public:
  // Every scalar is a value in the current container (arrays count it for the pointer).
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  //! A key already seen in this object stops the parse, and its pointer is kept for the message.
  bool key(string_t& k) override {
    auto& f = stack.back();
    if (!f.keys.insert(k).second) {
      duplicate = k;
      duplicate_at = frames_pointer(stack, stack.size() - 1);
      return false;
    }
    f.key = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  //! Keeps the byte offset and nlohmann's message and id; the message is cut to what is safe to
  //! show by parse().
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    error_byte = position;
    error_text = e.what();
    error_id = e.id;
    return false;
  }

  std::vector<Frame> stack;
  bool too_deep = false;
  std::string duplicate, duplicate_at;
  std::size_t error_byte = 0;
  std::string error_text;
  int error_id = 0;

 private:
  bool value() {
    if (!stack.empty() && stack.back().array) ++stack.back().index;
    return true;
  }
  //! Depth is checked as each container opens, so a document deeper than kMaxDepth stops at
  //! that depth: the check itself never goes deeper.
  bool open(bool array) {
    if (stack.size() >= kMaxDepth) {
      too_deep = true;
      return false;
    }
    stack.push_back(Frame{array, {}, 0, {}});
    return true;
  }
  //! A closed container is one value of its parent.
  bool close() {
    stack.pop_back();
    return value();
  }
};

}  // namespace

//! (Declared in json_io.hpp.) Two passes. The Checker runs first, without building anything.
//! Depth is bounded because what follows the parse (the check, merge patches, freeing the DOM)
//! recurses once per level: a file of "[[[[..." must not overflow the stack. A duplicate key
//! is refused because the DOM would silently keep one of its values, so a scenario could show
//! a reviewer one value and run another. Only a text that passes is parsed into a DOM.
json parse(std::string_view text, const std::string& file) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    text.remove_prefix(3);
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw InputError(file, "", "expected a JSON document, found an empty file");
  }
  Checker checker;
  const bool ok = json::sax_parse(text.begin(), text.end(), &checker);
  // The pointer in the message is cut to 8 levels: a message about depth must not be as deep.
  if (checker.too_deep) {
    throw InputError(file,
                     frames_pointer(checker.stack, std::min<std::size_t>(checker.stack.size(), 8)),
                     "nesting deeper than " + std::to_string(kMaxDepth) +
                         " levels (expected a scenario document)");
  }
  if (!checker.duplicate_at.empty() || !checker.duplicate.empty()) {
    throw InputError(file, checker.duplicate_at,
                     "duplicate key \"" + excerpt(checker.duplicate) +
                         "\" in one object (expected each key once)");
  }
  if (!ok) {
    std::string what = checker.error_text;
    if (checker.error_id == 406) {
      // Numbers beyond the range of a double, e.g. 1e400.
      const auto pos = what.find(']');
      std::string detail = pos == std::string::npos ? what : what.substr(pos + 2);
      if (detail.size() > 120) detail = detail.substr(0, 120) + "...";
      throw InputError(file, "", "invalid JSON: " + detail + " (expected a finite number)");
    }
    Diagnostic d{file, "", "", 0, 0};
    line_column(text, checker.error_byte > 0 ? checker.error_byte - 1 : 0, d.line, d.column);
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column
    // 5: syntax error while parsing value - invalid literal; last read: 'NaN'"; keep the part
    // after the position, and quote at most a short excerpt of the input, so that a scenario
    // cannot make CI print another file's contents.
    const auto colon = what.find(": ", what.find("column"));
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    if (const auto lr = detail.find("; last read: '"); lr != std::string::npos) {
      std::string token = detail.substr(lr + 14);
      if (!token.empty() && token.back() == '\'') token.pop_back();
      detail = detail.substr(0, lr) + "; last read: '" + excerpt(std::string_view(token)) + "'";
    }
    if (detail.size() > 200) detail = detail.substr(0, 200) + "...";
    d.message = "invalid JSON: " + detail;
    throw InputError(std::vector<Diagnostic>{d});
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw InputError(file, "", std::string("invalid JSON: ") + excerpt(std::string_view(e.what())));
  }
}

//! (Declared in json_io.hpp.) RFC 6901: "~" is written "~0" and "/" "~1", character by
//! character, so a key holding a literal "~1" becomes "~01" and reads back as itself.
std::string escape_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) out.append("/").append(escape_token(t));
  return out;
}

//! (Declared in json_io.hpp.) The inverse of pointer(): "" is the whole document (no tokens);
//! any other pointer starts with '/'; "~" must be followed by 0 or 1.
std::vector<std::string> split_pointer(std::string_view p) {
  std::vector<std::string> tokens;
  if (p.empty()) return tokens;
  if (p.front() != '/') {
    throw InputError("", std::string(excerpt(p)),
                     "expected a JSON pointer starting with /, found \"" + excerpt(p) + "\"");
  }
  std::string cur;
  for (std::size_t i = 1; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      tokens.push_back(cur);
      cur.clear();
    } else if (p[i] == '~') {
      if (i + 1 < p.size() && (p[i + 1] == '0' || p[i + 1] == '1')) {
        cur += p[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        throw InputError("", std::string(excerpt(p)),
                         "invalid JSON pointer: ~ must be followed by 0 or 1");
      }
    } else {
      cur += p[i];
    }
  }
  return tokens;
}

std::string excerpt(std::string_view text) {
  return text::excerpt(text);
}

//! (Declared in json_io.hpp.) Invalid UTF-8 in a string is replaced, not thrown on: a message
//! about a bad value must not itself fail.
std::string excerpt_json(const json& value) {
  return excerpt(std::string_view(value.dump(-1, ' ', false, json::error_handler_t::replace)));
}

//! (Declared in json_io.hpp.) Used in "expected X, found Y" messages: the type, and for scalars
//! an excerpt of the value.
std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return "the string " + excerpt_json(v);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "the number " + excerpt_json(v);
    case json::value_t::object:
      return v.empty() ? "an empty object" : "an object";
    case json::value_t::array:
      return v.empty() ? "an empty array" : "an array";
    default:
      break;
  }
  return "a value";
}

}  // namespace dcplan::jsonio
