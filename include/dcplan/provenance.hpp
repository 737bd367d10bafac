// dcplan — what made an output: the binary (version, commit), the command line, a SHA-256 of
// the fully merged scenario document, the seed where there is one, and the time. Every output
// carries it (docs/provenance.md): a `meta` object in json, a first line in jsonl, a record
// element in markdown and HTML (beside the footer a reader sees), properties in JUnit, a sidecar
// FILE.meta.json beside csv written with -o, the `meta` table of a SQLite store.
//
// with_provenance is the one place the record is attached to a command's output: to a JSON
// document as a value (its first member), or around the text a format's writer made (run's
// rows, markdown's footer). The HTML report, JUnit and the store write theirs where their
// formats keep it.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dcplan {

struct Provenance {
  std::string version;          //!< dcplan's version
  std::string commit;           //!< the commit it was built from, or "unknown"
  std::string command;          //!< the command line, shell-quoted
  std::string scenario_sha256;  //!< Scenario::sha256 of the scenario run (empty: none)
  std::optional<std::uint64_t> seed;
  std::string time;  //!< UTC, ISO 8601; SOURCE_DATE_EPOCH when set (reproducible outputs)
};

//! This binary's version and commit, and the time now, with the rest as given.
[[nodiscard]] Provenance make_provenance(std::string command, std::string scenario_sha256,
                                         std::optional<std::uint64_t> seed = std::nullopt);

//! A JSON object on one line: {"dcplan":…,"commit":…,"command":…,"scenario_sha256":…,
//! "seed":…,"time":…} (no seed key without a seed).
[[nodiscard]] std::string provenance_json(const Provenance& p);

//! One line of plain text for footers: "dcplan 0.1.0 (commit …), scenario SHA-256 …, seed …,
//! 2026-11-29T12:00:00Z: dcplan run …". Not escaped: the caller escapes for its format.
[[nodiscard]] std::string provenance_text(const Provenance& p);

//! The machine-readable record for a page a person reads: provenance_json with `<`, `>` and `&`
//! written as \u escapes, so that it can stand inside an HTML comment or a <script> element
//! and no text of the scenario (which every such output escapes) can close or imitate it.
[[nodiscard]] std::string provenance_json_embedded(const Provenance& p);

//! The record's element in markdown: `<!-- dcplan-provenance {…} -->`, the output's last line.
[[nodiscard]] std::string provenance_md_record(const Provenance& p);

//! The record's element in HTML: `<script type="application/json" id="dcplan-provenance">{…}
//! </script>`, once, in the page's head.
[[nodiscard]] std::string provenance_html_record(const Provenance& p);

//! Members written into a json document's record after its own: compare's "base_sha256".
using RecordExtra = std::vector<std::pair<std::string, std::string>>;

//! A command's JSON document (solve, optimize, sensitivity and compare --format json) with its
//! provenance: the record becomes its first member, "meta", on one line as provenance_json
//! writes it (with `extra` after its own members); the document's own members follow, as
//! nlohmann writes them with an indent of 2.
[[nodiscard]] std::string with_provenance(const nlohmann::ordered_json& document,
                                          const Provenance& p, const RecordExtra& extra = {});

//! An output that a format's writer made as text, with its provenance, by `format`:
//!   json   a result table's rows (io/format.hpp): {"meta": {…}, "rows": [the rows]};
//!   jsonl  after a first line {"meta": {…}};
//!   md     a footer line for the reader, then the record (provenance_md_record) as the last
//!          line;
//!   others (csv, table, svg) returned as they are: csv's record goes to a sidecar.
[[nodiscard]] std::string with_provenance(const std::string& text, std::string_view format,
                                          const Provenance& p);

//! The provenance a dcplan output records, read only where dcplan writes it and never matched
//! in free text (a title or a description a scenario wrote can imitate any footer): a json
//! output's `meta` (or a sidecar, the object itself), a jsonl output's first line, the
//! properties of a JUnit file's first test suite, the one HTML record element of a page that
//! opens with <!DOCTYPE html>, a markdown output's last line. nullopt when the text holds none.
[[nodiscard]] std::optional<Provenance> read_provenance(const std::string& text);

//! The command line as a shell would re-read it: each argument quoted when it needs to be.
[[nodiscard]] std::string shell_command(int argc, const char* const* argv);

}  // namespace dcplan
