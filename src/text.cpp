// Escaping untrusted text, one function per output (declared in text.hpp). A scenario may come
// from a pull request that CI runs: its name, ids, tags, descriptions, target names, gate texts
// and the paths it names all reach outputs that other people read or that tools parse. What
// each escape defends:
//   terminal_safe  stderr, logs and CI logs: an ESC sequence would move the cursor, rewrite
//                  earlier lines or set the window title; a newline would start a line of the
//                  attacker's ("::error file=...::" or "::add-mask::" for GitHub Actions, a fake
//                  "PASS"); bidirectional overrides (U+202E) would show text in another order
//                  than it is (Trojan Source). All become visible escapes.
//   xml_escape     JUnit XML (targets.cpp) and the HTML report and its SVG (src/report/): a
//                  target name such as `"><testcase name="all good"/>` would forge a test
//                  result, `<script>` in a region's name would run in the browser of whoever
//                  opens the report, and a character XML forbids would make the JUnit file
//                  unparseable, so CI would show no failures at all.
//   md_escape,     compare's markdown, posted as a pull-request comment: `|` would break out of
//   md_code        the table cell and add a row ("| gate | pass |"), `![](https://...)` would
//                  load an image from the attacker's server when the comment is viewed, `@team`
//                  would notify people, `<details>` or a link would hide or disguise content.
//   json_escape    the JSON writers and provenance records: a quote would close the string and
//                  let the text add keys of its own (a forged "commit" or scenario hash).
//   excerpt        error messages: a bounded, single-line quote of the input, so that a message
//                  about a bad value cannot reprint a large part of another file.
#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace dcplan::text {

namespace {

//! Decodes one UTF-8 sequence at s[i]; returns its length (0: invalid) and the code point.
//! Overlong forms (a '/' written in two bytes), surrogates and code points above U+10FFFF are
//! invalid: each escape treats an invalid sequence byte by byte, so that no byte sequence can
//! decode to a character a later reader sees differently.
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  // Decodes one sequence, validating every continuation byte (10xxxxxx) as it goes.
  std::size_t len = 0;
  std::uint32_t min = 0;
  // The lead byte gives the length (110xxxxx two bytes, 1110xxxx three, 11110xxx four) and the
  // smallest code point that length may encode; a continuation byte or 11111xxx cannot lead.
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
  // Overlong (below `min`), beyond Unicode, or a UTF-16 surrogate: invalid.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

//! Characters that change how following text is shown: C0/C1 controls, DEL, bidi controls,
//! line and paragraph separators.
//! The bidirectional controls are LRE..RLO (U+202A-202E), the isolates LRI..PDI
//! (U+2066-2069), LRM, RLM and ALM (U+200E, U+200F, U+061C).
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

//! (Declared in text.hpp.) Reads back what xml_escape wrote, for the provenance properties of a
//! JUnit file (provenance.cpp, `dcplan verify`). Only the named entities xml_escape emits and
//! decimal references of ASCII characters are decoded; anything else stays literal.
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
    // &#N; with N a decimal of 1 to 3 digits below 128: the references xml_escape writes
    // (&#39; &#10; &#13; &#9;).
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

//! (Declared in text.hpp.) Quotes of both kinds are escaped so the result is safe in attribute
//! values whichever quote delimits them; tab, newline and return are written as references
//! because an XML parser turns raw ones in attributes into spaces.
std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t len = decode(s, i, cp);
    // XML 1.0 allows tab, newline and return but no other C0 control, and no U+FFFE or
    // U+FFFF; C1 controls are allowed but discouraged, and replaced too.
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
    // Quotes and whitespace controls as references, so the text is safe in an attribute too.
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

//! (Declared in text.hpp.) Every separator splits, so empty pieces are kept: the caller sees
//! "a::b" as three fields, never as two.
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

//! (Declared in text.hpp.) Counts characters, not bytes (continuation bytes 10xxxxxx do not
//! count), so a cut never splits a UTF-8 sequence; control characters become spaces so the
//! excerpt stays on one line.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMaxChars = 40;
  std::string out;
  std::size_t n = 0;
  // n counts the characters so far; a byte that starts a character counts, continuation
  // bytes do not.
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

//! (Declared in text.hpp.) At most 400 characters: longer is not a number anyone wrote, and
//! strtod on megabytes of digits would be slow. Copied to a std::string because strtod needs a
//! terminating NUL a string_view does not have.
bool parse_double(std::string_view s, double& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 400) return false;
  const std::string z(s);
  char* end = nullptr;
  // strtod accepts subnormals and reports overflow as ±HUGE_VAL, which isfinite refuses.
  const double v = std::strtod(z.c_str(), &end);
  if (end != z.c_str() + z.size() || !std::isfinite(v)) return false;
  // strtod also reads "inf", "nan" and hexadecimal floats; a result table never holds them.
  if (z.find_first_of("xXnN") != std::string::npos) return false;
  out = v;
  return true;
}

//! (Declared in text.hpp.) What RFC 8259 requires: `"`, `\` and U+0000-U+001F. Other bytes pass
//! as they are; the callers' texts are UTF-8.
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

//! (Declared in text.hpp.) The cut counts characters (an escape counts as one), before the
//! escapes are written, so a bounded message stays bounded in what the input controls.
std::string terminal_safe(std::string_view s, std::size_t max_chars) {
  std::string out;
  out.reserve(s.size());
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (max_chars > 0 && chars == max_chars) return out + "...";
    ++chars;
    std::uint32_t cp = 0;
    const std::size_t len = decode(s, i, cp);
    // An invalid byte is shown as \xNN and skipped alone, so the next byte is decoded afresh.
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
          // ESC becomes the four characters \x1b: visible, and inert on any terminal.
          out += cp < 0x100 ? fmt::format("\\x{:02x}", cp) : fmt::format("\\u{:04x}", cp);
      }
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

//! (Declared in text.hpp.) terminal_safe first: a newline in a table cell would end the row,
//! and it becomes the two characters "\n". Then & < > become entities (no HTML tag, no
//! entity of the attacker's) and every ASCII punctuation character CommonMark or GitHub gives a
//! meaning to is backslash-escaped: emphasis, links and images, tables, headings, lists,
//! strikethrough, footnotes, math, autolinks and @mentions. CommonMark allows a backslash
//! before any ASCII punctuation, so escaping one that needed none is harmless.
std::string md_escape(std::string_view s, std::size_t max_chars) {
  // Escaped byte by byte after terminal_safe: every character escaped here is ASCII, so no
  // UTF-8 sequence is touched.
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

//! (Declared in text.hpp.) For texts shown as written (a gate, a file name): inside a code span
//! markdown interprets nothing, so only its fence and, in a table, the cell separator matter.
//! GitHub splits table cells at `|` even inside a code span, hence `\|` there.
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
  // The fence is one backtick longer than the longest run of backticks inside (CommonMark: a
  // span ends only at a run of exactly its fence's length).
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
