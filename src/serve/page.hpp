// Private to dcplan serve: the page, src/serve/page.html, compiled into the binary
// (tools/cmake/embed.cmake writes it into a source file at build time): no file is read from
// disk when the server runs, and the page loads nothing from elsewhere.
#pragma once

#include <string_view>

namespace dcplan::serve {

//! The page's HTML, with its one inline <style> and one inline <script>.
[[nodiscard]] std::string_view page_html();

}  // namespace dcplan::serve
