// dcplan — a results store in SQLite (`--format sqlite -o FILE`): many runs in one file that
// sqlite3, Python's sqlite3 module and pandas.read_sql query directly.
//
// Tables (docs/sqlite.md): meta (one row per sweep: what made it), runs (sweep, run and each
// varied parameter), results (sweep, run, year, region[, hardware] and one REAL column per
// metric; the text column `limit` as TEXT), summary (--summary); a comparison adds comparison and
// gates. The file is written whole or not at all: a temporary file beside it, renamed into place on
// commit(); a store with --append is copied first and gets another sweep id. Strings from scenarios
// are bound as values or quoted as identifiers, never spliced into SQL.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dcplan/provenance.hpp"
#include "dcplan/results.hpp"

namespace dcplan {
struct CompareRow;
struct GateResult;
}  // namespace dcplan

namespace dcplan::io {

struct StoreSweep {
  std::string kind = "sweep";  //!< run | sweep | compare
  std::string sweep_hash;      //!< the sweep's hash (shards of one sweep share it)
  long long runs = 0;          //!< runs of the whole sweep
  long long shard_k = 0, shard_n = 1;
  std::vector<std::string> params;  //!< varied parameters: REAL columns of `runs`
  std::vector<std::string> labels;  //!< TEXT columns of `runs` (compare: side, file)
  std::vector<std::string> flags;   //!< INTEGER columns of `runs`, 1 or 0 (sweep --targets)
  std::string base_sha256;          //!< compare: the base scenario's hash (meta.base_sha256)
  std::vector<int> columns;         //!< result columns (Col): columns of `results`
};

//! One sweep's record in a store's `meta` table.
struct StoreRecord {
  long long sweep = 0;
  std::string kind;  //!< run | sweep | compare
  Provenance provenance;
};

class SqliteStore {
 public:
  //! A new store at `path` (replacing it on commit), or with `append` a copy of the existing
  //! one with another sweep added. Throws InputError for a path that is not a regular file
  //! (stdout, a device), a store that is not dcplan's, or an SQLite error.
  SqliteStore(const std::string& path, bool append);
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore();

  //! Starts a sweep: its meta row, the columns it needs. Returns its id (1 in a new store).
  long long begin(const StoreSweep& sweep, const Provenance& provenance);
  //! A run's parameters (as many as StoreSweep::params), labels (StoreSweep::labels) and flags
  //! (StoreSweep::flags).
  void add_run(long long run, const std::vector<double>& params,
               const std::vector<std::string>& labels = {},
               const std::vector<std::uint8_t>& flags = {});
  //! One result row: values in StoreSweep::columns order (NaN: NULL; a text column, `limit`,
  //! is stored as its words). hardware: "" for none.
  void add_row(long long run, int year, const std::string& region, const std::string& hardware,
               const double* values);
  //! The rows `rows` of a result table (View::select), in the store's columns.
  void add_rows(long long run, const Results& results, const std::vector<std::ptrdiff_t>& rows);
  //! One summary row.
  void add_summary(int year, const std::string& region, const std::string& metric, long long n,
                   double mean, double p5, double p50, double p95);
  //! One statistic of whole runs, which has no year (table `run_summary`, made by its first
  //! row): a target's pass rate (region "": NULL) or a ratio; `stats` are mean, p5, p50, p95,
  //! low, high (NaN: NULL).
  void add_run_summary(const std::string& metric, const std::string& region, long long n,
                       const std::array<double, 6>& stats);
  //! A comparison's joined rows (table `comparison`) and its gates (table `gates`).
  void add_comparison(const std::vector<CompareRow>& rows, const std::vector<GateResult>& gates);
  //! Ends the transaction every `kChunk` runs (bounded memory); called by add_run.
  static constexpr long long kChunk = 4096;
  //! Indices, last transaction, close, rename into place.
  void commit();

  //! Merges shards of one sweep (stores written with --shard k/n) into `path`: refuses shards of
  //! different sweeps, repeated or missing shards. Rows are copied by query.
  static void merge(const std::vector<std::string>& shards, const std::string& path);

  //! The provenance a store records, one per sweep in id order (dcplan verify). The store is
  //! opened read-only as every store dcplan reads: nothing in it runs, and it must hold only
  //! dcplan's tables. Throws InputError otherwise.
  [[nodiscard]] static std::vector<StoreRecord> read_provenance(const std::string& path);

  //! Whether a file starts with SQLite's header ("SQLite format 3").
  [[nodiscard]] static bool is_sqlite(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dcplan::io
