#include "io/table.hpp"

#include <algorithm>
#include <cctype>

#include "text.hpp"

namespace dcplan::io {

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

std::string aligned_table(const std::vector<std::string>& raw_header,
                          const std::vector<std::vector<std::string>>& raw_rows,
                          const TableLayout& layout) {
  // Cells may hold names from a scenario: no control character reaches the terminal.
  auto safe = [](std::vector<std::string> cells) {
    for (auto& cell : cells) cell = text::terminal_safe(cell, 200);
    return cells;
  };
  const std::vector<std::string> header = safe(raw_header);
  std::vector<std::vector<std::string>> rows;
  rows.reserve(raw_rows.size());
  for (const auto& r : raw_rows) rows.push_back(safe(r));
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
      out += layout.right(c, cell, head) ? pad + cell : cell + pad;
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
  while (!rule.empty() && rule.back() == ' ') rule.pop_back();
  out += rule + "\n";
  std::size_t next_blank = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    while (next_blank < layout.blank_before.size() && layout.blank_before[next_blank] < i)
      ++next_blank;
    if (next_blank < layout.blank_before.size() && layout.blank_before[next_blank] == i) {
      out += "\n";
    }
    out += line(rows[i], false);
  }
  return out;
}

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
  return aligned_table(
      header, rows,
      {[](std::size_t, const std::string& cell, bool head) { return !head && numeric(cell); }, {}});
}

}  // namespace dcplan::io
