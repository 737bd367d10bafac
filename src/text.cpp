#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace dcplan::text {

namespace {

//! Decodes one UTF-8 sequence at s[i]; returns its length (0: invalid) and the code point.
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

//! Characters that change how following text is shown: C0/C1 controls, DEL, bidi controls,
//! line and paragraph separators.
bool dangerous(std::uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
         cp == 0x2028 || cp == 0x2029;
}

//! & < > as entities (markup in XML, HTML and markdown alike); false for other characters.
bool append_entity(std::string& out, std::uint32_t c) {
  switch (c) {
    case '&':
      out += "&amp;";
      return true;
    case '<':
      out += "&lt;";
      return true;
    case '>':
      out += "&gt;";
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string xml_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    const std::string_view ref =
        semi == std::string_view::npos ? "" : s.substr(i + 1, semi - i - 1);
    char c = 0;
    if (ref == "amp") c = '&';
    if (ref == "lt") c = '<';
    if (ref == "gt") c = '>';
    if (ref == "quot") c = '"';
    if (ref.size() >= 2 && ref.size() <= 4 && ref[0] == '#') {
      int v = 0;
      bool digits = true;
      for (const char d : ref.substr(1)) {
        digits = digits && d >= '0' && d <= '9';
        v = v * 10 + (d - '0');
      }
      if (digits && v > 0 && v < 128) c = static_cast<char>(v);
    }
    if (c == 0) {
      out += '&';
      continue;
    }
    out += c;
    i = semi;
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t len = decode(s, i, cp);
    if (len == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
        (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      i += len == 0 ? 1 : len;
      continue;
    }
    if (append_entity(out, cp)) {
      i += len;
      continue;
    }
    switch (cp) {
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += "&#10;";  // kept in attributes, where a raw newline is normalised to a space
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(separator, start);
    out.emplace_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string excerpt(std::string_view text) {
  constexpr std::size_t kMaxChars = 40;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (n == kMaxChars) return out + "...";
      ++n;
    }
    out += (c < 0x20) ? ' ' : static_cast<char>(c);
  }
  return out;
}

bool parse_double(std::string_view s, double& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 400) return false;
  const std::string z(s);
  char* end = nullptr;
  const double v = std::strtod(z.c_str(), &end);
  if (end != z.c_str() + z.size() || !std::isfinite(v)) return false;
  // strtod also reads "inf", "nan" and hexadecimal floats; a result table never holds them.
  if (z.find_first_of("xXnN") != std::string::npos) return false;
  out = v;
  return true;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out;
}

std::string terminal_safe(std::string_view s, std::size_t max_chars) {
  std::string out;
  out.reserve(s.size());
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (max_chars > 0 && chars == max_chars) return out + "...";
    ++chars;
    std::uint32_t cp = 0;
    const std::size_t len = decode(s, i, cp);
    if (len == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (dangerous(cp)) {
      switch (cp) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += cp < 0x100 ? fmt::format("\\x{:02x}", cp) : fmt::format("\\u{:04x}", cp);
      }
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string md_escape(std::string_view s, std::size_t max_chars) {
  const std::string safe = terminal_safe(s, max_chars);
  std::string out;
  out.reserve(safe.size() + 8);
  for (char c : safe) {
    if (append_entity(out, static_cast<unsigned char>(c))) continue;
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '(':
      case ')':
      case '|':
      case '!':
      case '#':
      case '~':
      case '{':
      case '}':
      case '+':
      case '-':
      case '.':
      case ':':
      case '"':
      case '\'':
      case '$':
      case '^':
      case '=':
      case '@':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string md_code(std::string_view s, bool in_table, std::size_t max_chars) {
  std::string body = terminal_safe(s, max_chars);
  if (in_table) {
    std::string piped;
    for (char c : body) {
      if (c == '|') piped += '\\';
      piped += c;
    }
    body = std::move(piped);
  }
  std::size_t longest = 0;
  std::size_t run = 0;
  for (char c : body) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  // A span that starts or ends with a backtick (or is blank) needs a space inside the fence.
  const bool pad = body.empty() || body.front() == '`' || body.back() == '`' ||
                   body.front() == ' ' || body.back() == ' ';
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

}  // namespace dcplan::text
