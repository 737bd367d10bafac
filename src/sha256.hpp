// Private to dcplan_core: SHA-256 (FIPS 180-4), for the scenario hash of provenance records.
#pragma once

#include <string>
#include <string_view>

namespace dcplan {

//! The SHA-256 of `bytes`, as 64 lowercase hex digits.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace dcplan
