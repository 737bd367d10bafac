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

struct Frame {
  bool array = false;
  std::string key;
  std::size_t index = 0;
  std::set<std::string> keys;
};

std::string frames_pointer(const std::vector<Frame>& stack, std::size_t upto) {
  std::string out;
  for (std::size_t i = 0; i < upto; ++i) {
    out += "/";
    out += stack[i].array ? std::to_string(stack[i].index) : escape_token(stack[i].key);
  }
  return out;
}

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

std::string read_text(const std::string& path) {
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
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path, "", "error while reading the file");
  return text;
}

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
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
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
  bool open(bool array) {
    if (stack.size() >= kMaxDepth) {
      too_deep = true;
      return false;
    }
    stack.push_back(Frame{array, {}, 0, {}});
    return true;
  }
  bool close() {
    stack.pop_back();
    return value();
  }
};

}  // namespace

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

std::string excerpt_json(const json& value) {
  return excerpt(std::string_view(value.dump(-1, ' ', false, json::error_handler_t::replace)));
}

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
