// Private to dcplan_core and the command line: the one aligned-table writer, for every table a
// person reads on a terminal (run, compare, --check, catalog, metrics).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dcplan::io {

struct TableLayout {
  //! Whether a cell is right-aligned: by its column, its text, and whether it is a header.
  std::function<bool(std::size_t column, const std::string& cell, bool header)> right;
  //! Rows (indices into the body) preceded by a blank line.
  std::vector<std::size_t> blank_before;
};

//! Columns padded to their widest cell (counted in UTF-8 code points), a rule under the header,
//! trailing spaces trimmed. Cells are escaped for the terminal: no control character from the
//! input reaches it.
[[nodiscard]] std::string aligned_table(const std::vector<std::string>& header,
                                        const std::vector<std::vector<std::string>>& rows,
                                        const TableLayout& layout);

//! The layout of most tables: numeric-looking cells right-aligned, headers left-aligned.
[[nodiscard]] std::string format_table(const std::vector<std::string>& header,
                                       const std::vector<std::vector<std::string>>& rows);

}  // namespace dcplan::io
