// Aligned text tables for the terminal.
#pragma once

#include <string>
#include <vector>

namespace dcplan::cli {

//! Columns padded to their widest cell; numeric-looking cells right-aligned.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

}  // namespace dcplan::cli
