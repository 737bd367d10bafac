#include "cli/table.hpp"

#include <algorithm>
#include <cctype>

#include "text.hpp"

namespace dcplan::cli {

namespace {
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;  // count UTF-8 code points
  return n;
}
bool numeric(const std::string& s) {
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '-' ||
                        s.front() == '+' || s.rfind("US$", 0) == 0);
}
}  // namespace

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& raw_rows) {
  // Cells may hold names from a scenario: no control character reaches the terminal.
  std::vector<std::vector<std::string>> rows = raw_rows;
  for (auto& r : rows) {
    for (auto& cell : r) cell = text::terminal_safe(cell, 200);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = display_width(header[c]);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], display_width(r[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool head) {
    std::string out;
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const std::string pad(width[c] - display_width(cell), ' ');
      if (c > 0) out += "  ";
      out += (!head && numeric(cell)) ? pad + cell : cell + pad;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header, true);
  std::string rule;
  for (std::size_t c = 0; c < width.size(); ++c) {
    if (c > 0) rule += "  ";
    rule += std::string(width[c], '-');
  }
  out += rule + "\n";
  for (const auto& r : rows) out += line(r, false);
  return out;
}

}  // namespace dcplan::cli
