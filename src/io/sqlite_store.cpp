#include "dcplan/io/sqlite_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/format.hpp"
#include "json_io.hpp"

namespace dcplan::io {

namespace {

//! An SQL identifier for any text: double-quoted, inner quotes doubled.
std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c == '\0' ? '?' : c;
  }
  return out + "\"";
}

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS meta(sweep INTEGER PRIMARY KEY, kind TEXT NOT NULL, dcplan TEXT,
  "commit" TEXT, command TEXT, scenario_sha256 TEXT, seed INTEGER, time TEXT, sweep_hash TEXT,
  runs INTEGER, shard TEXT);
CREATE TABLE IF NOT EXISTS runs(sweep INTEGER NOT NULL, run INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS results(sweep INTEGER NOT NULL, run INTEGER NOT NULL,
  year INTEGER NOT NULL, region TEXT NOT NULL, hardware TEXT);
CREATE TABLE IF NOT EXISTS summary(sweep INTEGER NOT NULL, year INTEGER NOT NULL,
  region TEXT NOT NULL, metric TEXT NOT NULL, n INTEGER, mean REAL, p5 REAL, p50 REAL, p95 REAL);
)";

//! The tables of a comparison, made when a store first holds one.
constexpr const char* kCompareSchema = R"(
CREATE TABLE IF NOT EXISTS comparison(sweep INTEGER NOT NULL, year INTEGER NOT NULL,
  region TEXT NOT NULL, hardware TEXT, metric TEXT NOT NULL, base REAL, other REAL, diff REAL,
  rel_diff REAL);
CREATE TABLE IF NOT EXISTS gates(sweep INTEGER NOT NULL, gate TEXT NOT NULL,
  passed INTEGER NOT NULL, first_year INTEGER, last_year INTEGER, base REAL, other REAL,
  measured REAL, detail TEXT);
)";

//! Binds a double, or NULL for NaN (an empty cell).
void bind_real(sqlite3_stmt* s, int at, double v) {
  if (!std::isnan(v)) sqlite3_bind_double(s, at, v);
}

void bind_text(sqlite3_stmt* s, int at, const std::string& v) {
  sqlite3_bind_text(s, at, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

}  // namespace

struct SqliteStore::Impl {
  std::string path;
  std::unique_ptr<AtomicFile> file;
  sqlite3* db = nullptr;
  long long sweep = 0;
  sqlite3_stmt* run_stmt = nullptr;
  sqlite3_stmt* row_stmt = nullptr;
  sqlite3_stmt* summary_stmt = nullptr;
  std::size_t params = 0;
  std::size_t labels = 0;
  std::vector<int> columns;
  long long runs_in_transaction = 0;
  bool committed = false;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { close(); }

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path, "",
                     fmt::format("SQLite: {}: {}", what, db != nullptr ? sqlite3_errmsg(db) : "?"));
  }
  void exec(const std::string& sql) const {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw InputError(path, "", "SQLite: " + message);
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) fail("prepare");
    return s;
  }
  void step(sqlite3_stmt* s) const {
    if (sqlite3_step(s) != SQLITE_DONE) fail("write");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
  //! The columns of a table, in order.
  [[nodiscard]] std::vector<std::string> table_columns(const std::string& table,
                                                       const std::string& schema = "main") const {
    std::vector<std::string> out;
    sqlite3_stmt* s = prepare("PRAGMA " + quoted(schema) + ".table_info(" + quoted(table) + ")");
    while (sqlite3_step(s) == SQLITE_ROW) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
    }
    sqlite3_finalize(s);
    return out;
  }
  //! Adds the columns a table lacks: (name, SQL type).
  void ensure(const std::string& table,
              const std::vector<std::pair<std::string, const char*>>& wanted) const {
    const auto have = table_columns(table);
    const std::set<std::string> present(have.begin(), have.end());
    for (const auto& [name, type] : wanted) {
      if (present.count(name) == 0) {
        exec("ALTER TABLE " + quoted(table) + " ADD COLUMN " + quoted(name) + " " + type);
      }
    }
  }
  //! Opens the temporary file that replaces `path` on commit, holding a copy of `source` (a
  //! store to add to; empty: a new store).
  void open_temporary(const std::string& source) {
    file = std::make_unique<AtomicFile>(path);
    if (file->temp_path().empty()) {
      throw InputError(path, "", "sqlite needs a regular file, not a device or a pipe");
    }
    if (!source.empty()) {
      std::ifstream in(source, std::ios::binary);
      file->stream() << in.rdbuf();
    }
    file->stream().flush();
    open(file->temp_path());
  }
  void open(const std::string& file_path) {
    if (sqlite3_open_v2(file_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      fail("open");
    }
    // The file is a temporary one, renamed into place when complete: no journal is needed.
    exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
  }
  void close() {
    for (sqlite3_stmt* s : {run_stmt, row_stmt, summary_stmt}) sqlite3_finalize(s);
    run_stmt = row_stmt = summary_stmt = nullptr;
    if (db != nullptr) sqlite3_close(db);
    db = nullptr;
  }
};

bool SqliteStore::is_sqlite(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  return in.gcount() == 16 && std::string(head, 15) == "SQLite format 3";
}

SqliteStore::SqliteStore(const std::string& path, bool append) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  if (path.empty() || path == "-") {
    throw InputError("--format", "", "sqlite needs a file: give -o FILE");
  }
  const bool existing = append && is_sqlite(path);
  std::error_code ec;
  if (append && !existing && std::filesystem::exists(path, ec)) {
    throw InputError(path, "", "--append: not an SQLite file (expected a store dcplan wrote)");
  }
  m.open_temporary(existing ? path : std::string());  // --append: a copy of the store
  if (existing && m.table_columns("meta").empty()) {
    throw InputError(path, "", "--append: an SQLite file without dcplan's tables");
  }
  m.exec(kSchema);
}

SqliteStore::~SqliteStore() {
  impl_->close();  // an uncommitted store: the AtomicFile removes the temporary file
}

long long SqliteStore::begin(const StoreSweep& sw, const Provenance& p) {
  Impl& m = *impl_;
  m.exec("BEGIN");
  sqlite3_stmt* next = m.prepare("SELECT COALESCE(MAX(sweep), 0) + 1 FROM meta");
  if (sqlite3_step(next) != SQLITE_ROW) m.fail("read");
  m.sweep = sqlite3_column_int64(next, 0);
  sqlite3_finalize(next);
  sqlite3_stmt* meta = m.prepare(
      "INSERT INTO meta(sweep, kind, dcplan, \"commit\", command, scenario_sha256, seed, time, "
      "sweep_hash, runs, shard) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  auto text = [&](int i, const std::string& v) { bind_text(meta, i, v); };
  sqlite3_bind_int64(meta, 1, m.sweep);
  text(2, sw.kind);
  text(3, p.version);
  text(4, p.commit);
  text(5, p.command);
  text(6, p.scenario_sha256);
  if (p.seed) sqlite3_bind_int64(meta, 7, static_cast<sqlite3_int64>(*p.seed));
  text(8, p.time);
  text(9, sw.sweep_hash);
  sqlite3_bind_int64(meta, 10, sw.runs);
  text(11, fmt::format("{}/{}", sw.shard_k, sw.shard_n));
  m.step(meta);
  sqlite3_finalize(meta);
  if (!sw.base_sha256.empty()) {
    m.ensure("meta", {{"base_sha256", "TEXT"}});
    sqlite3_stmt* base = m.prepare("UPDATE meta SET base_sha256 = ? WHERE sweep = ?");
    bind_text(base, 1, sw.base_sha256);
    sqlite3_bind_int64(base, 2, m.sweep);
    m.step(base);
    sqlite3_finalize(base);
  }
  std::vector<std::pair<std::string, const char*>> params, results;
  for (const auto& name : sw.params) params.emplace_back(name, "REAL");
  for (const auto& name : sw.labels) params.emplace_back(name, "TEXT");
  for (int c : sw.columns) {
    const ColumnInfo& info = column_info(static_cast<Col>(c));
    results.emplace_back(info.name, info.kind == ColumnKind::kText ? "TEXT" : "REAL");
  }
  m.ensure("runs", params);
  m.ensure("results", results);
  m.params = sw.params.size();
  m.labels = sw.labels.size();
  m.columns = sw.columns;
  std::string cols = "sweep, run", marks = "?,?";
  for (const auto& [name, type] : params) {
    cols += ", " + quoted(name);
    marks += ",?";
  }
  m.run_stmt = m.prepare("INSERT INTO runs(" + cols + ") VALUES(" + marks + ")");
  cols = "sweep, run, year, region, hardware";
  marks = "?,?,?,?,?";
  for (const auto& [name, type] : results) {
    cols += ", " + quoted(name);
    marks += ",?";
  }
  m.row_stmt = m.prepare("INSERT INTO results(" + cols + ") VALUES(" + marks + ")");
  m.summary_stmt = m.prepare(
      "INSERT INTO summary(sweep, year, region, metric, n, mean, p5, p50, p95) "
      "VALUES(?,?,?,?,?,?,?,?,?)");
  return m.sweep;
}

void SqliteStore::add_run(long long run, const std::vector<double>& params,
                          const std::vector<std::string>& labels) {
  Impl& m = *impl_;
  if (++m.runs_in_transaction >= kChunk) {
    m.exec("COMMIT; BEGIN");
    m.runs_in_transaction = 0;
  }
  sqlite3_bind_int64(m.run_stmt, 1, m.sweep);
  sqlite3_bind_int64(m.run_stmt, 2, run);
  for (std::size_t i = 0; i < m.params && i < params.size(); ++i) {
    sqlite3_bind_double(m.run_stmt, static_cast<int>(i) + 3, params[i]);
  }
  for (std::size_t i = 0; i < m.labels && i < labels.size(); ++i) {
    bind_text(m.run_stmt, static_cast<int>(m.params + i) + 3, labels[i]);
  }
  m.step(m.run_stmt);
}

void SqliteStore::add_row(long long run, int year, const std::string& region,
                          const std::string& hardware, const double* values) {
  Impl& m = *impl_;
  sqlite3_stmt* s = m.row_stmt;
  sqlite3_bind_int64(s, 1, m.sweep);
  sqlite3_bind_int64(s, 2, run);
  sqlite3_bind_int(s, 3, year);
  bind_text(s, 4, region);
  if (!hardware.empty()) bind_text(s, 5, hardware);
  for (std::size_t i = 0; i < m.columns.size(); ++i) {
    const int at = static_cast<int>(i) + 6;
    const ColumnInfo& info = column_info(static_cast<Col>(m.columns[i]));
    if (info.kind == ColumnKind::kText) {
      bind_text(s, at, exact_cell(values[i], info));
    } else {
      bind_real(s, at, values[i]);
    }
  }
  m.step(s);
}

void SqliteStore::add_rows(long long run, const Results& res,
                           const std::vector<std::ptrdiff_t>& rows) {
  const std::vector<int>& columns = impl_->columns;
  std::vector<double> values(columns.size());
  for (const auto r : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i) values[i] = res.values(r, columns[i]);
    add_row(run, res.keys[static_cast<std::size_t>(r)].year, res.region_name(r),
            res.hardware_name(r), values.data());
  }
}

void SqliteStore::add_summary(int year, const std::string& region, const std::string& metric,
                              long long n, double mean, double p5, double p50, double p95) {
  Impl& m = *impl_;
  sqlite3_stmt* s = m.summary_stmt;
  sqlite3_bind_int64(s, 1, m.sweep);
  sqlite3_bind_int(s, 2, year);
  bind_text(s, 3, region);
  bind_text(s, 4, metric);
  sqlite3_bind_int64(s, 5, n);
  int at = 6;
  for (const double v : {mean, p5, p50, p95}) {
    bind_real(s, at++, v);
  }
  m.step(s);
}

void SqliteStore::add_comparison(const std::vector<CompareRow>& rows,
                                 const std::vector<GateResult>& gates) {
  Impl& m = *impl_;
  m.exec(kCompareSchema);
  sqlite3_stmt* row = m.prepare(
      "INSERT INTO comparison(sweep, year, region, hardware, metric, base, other, diff, rel_diff) "
      "VALUES(?,?,?,?,?,?,?,?,?)");
  for (const CompareRow& r : rows) {
    sqlite3_bind_int64(row, 1, m.sweep);
    sqlite3_bind_int(row, 2, r.year);
    bind_text(row, 3, r.region);
    if (!r.hardware.empty()) bind_text(row, 4, r.hardware);
    bind_text(row, 5, std::string(column_info(static_cast<Col>(r.metric)).name));
    bind_real(row, 6, r.base);
    bind_real(row, 7, r.other);
    bind_real(row, 8, r.diff());
    bind_real(row, 9, r.rel_diff());
    m.step(row);
  }
  sqlite3_finalize(row);
  sqlite3_stmt* gate = m.prepare(
      "INSERT INTO gates(sweep, gate, passed, first_year, last_year, base, other, measured, "
      "detail) VALUES(?,?,?,?,?,?,?,?,?)");
  for (const GateResult& g : gates) {
    sqlite3_bind_int64(gate, 1, m.sweep);
    bind_text(gate, 2, g.gate.text);
    sqlite3_bind_int(gate, 3, g.passed ? 1 : 0);
    sqlite3_bind_int(gate, 4, g.first_year);
    sqlite3_bind_int(gate, 5, g.last_year);
    bind_real(gate, 6, g.base);
    bind_real(gate, 7, g.other);
    bind_real(gate, 8, g.measured);
    bind_text(gate, 9, g.detail);
    m.step(gate);
  }
  sqlite3_finalize(gate);
}

void SqliteStore::commit() {
  Impl& m = *impl_;
  m.exec(
      "COMMIT; CREATE INDEX IF NOT EXISTS results_run_year_region ON results(run, year, region);"
      "CREATE INDEX IF NOT EXISTS runs_run ON runs(run);");
  m.close();
  m.file->commit();
  m.committed = true;
}

void SqliteStore::merge(const std::vector<std::string>& shards, const std::string& path) {
  if (shards.empty()) throw InputError("merge", "", "no files to merge");
  struct Shard {
    std::string file, hash, shard;
    long long runs = 0, k = 0, n = 0;
  };
  std::vector<Shard> info;
  for (const auto& file : shards) {
    sqlite3* db = nullptr;
    Shard s;
    s.file = file;
    const bool ok = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK;
    sqlite3_stmt* q = nullptr;
    const bool read =
        ok &&
        sqlite3_prepare_v2(db,
                           "SELECT sweep_hash, runs, shard, kind, (SELECT COUNT(*) FROM meta), "
                           "(SELECT COUNT(*) FROM summary) FROM meta",
                           -1, &q, nullptr) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW;
    std::string kind;
    long long sweeps = 0, summaries = 0;
    if (read) {
      auto col = [&](int i) {
        const auto* t = sqlite3_column_text(q, i);
        return t != nullptr ? std::string(reinterpret_cast<const char*>(t)) : std::string();
      };
      s.hash = col(0);
      s.runs = sqlite3_column_int64(q, 1);
      s.shard = col(2);
      kind = col(3);
      sweeps = sqlite3_column_int64(q, 4);
      summaries = sqlite3_column_int64(q, 5);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (!read) throw InputError(file, "", "not a dcplan SQLite store (no meta table)");
    if (sweeps != 1 || kind != "sweep") {
      throw InputError(file, "", "expected one sweep shard (a store of several sweeps or a run)");
    }
    if (summaries != 0) throw InputError(file, "", "--summary stores cannot be merged");
    const auto slash = s.shard.find('/');
    s.k = slash == std::string::npos ? -1 : std::atoll(s.shard.c_str());
    s.n = slash == std::string::npos ? 0 : std::atoll(s.shard.c_str() + slash + 1);
    info.push_back(s);
  }
  std::set<long long> seen;
  for (const auto& s : info) {
    if (s.hash != info[0].hash || s.n != info[0].n || s.runs != info[0].runs) {
      throw InputError(s.file, "",
                       fmt::format("a shard of another sweep (hash {}, shard {}; {} has hash {}, "
                                   "shard {})",
                                   jsonio::excerpt(s.hash), jsonio::excerpt(s.shard), info[0].file,
                                   jsonio::excerpt(info[0].hash), jsonio::excerpt(info[0].shard)));
    }
    if (s.k < 0 || s.k >= s.n || !seen.insert(s.k).second) {
      throw InputError(s.file, "", "shard " + jsonio::excerpt(s.shard) + " repeated or malformed");
    }
  }
  for (long long k = 0; k < info[0].n; ++k) {
    if (seen.count(k) == 0) {
      throw InputError("merge", "", fmt::format("shard {}/{} is missing", k, info[0].n));
    }
  }
  // The first shard copied whole, the others' rows added to it.
  Impl m;
  m.path = path;
  m.open_temporary(shards[0]);
  const auto run_cols = m.table_columns("runs");
  const auto result_cols = m.table_columns("results");
  auto list = [](const std::vector<std::string>& cols) {
    std::string out;
    for (const auto& c : cols) out += (out.empty() ? "" : ", ") + quoted(c);
    return out;
  };
  for (std::size_t i = 1; i < shards.size(); ++i) {
    sqlite3_stmt* attach = m.prepare("ATTACH DATABASE ? AS shard");
    bind_text(attach, 1, shards[i]);
    m.step(attach);
    sqlite3_finalize(attach);
    if (m.table_columns("runs", "shard") != run_cols ||
        m.table_columns("results", "shard") != result_cols) {
      throw InputError(shards[i], "", "its tables differ from " + shards[0] + "'s");
    }
    // One transaction per shard (ATTACH cannot run inside one).
    m.exec("BEGIN; INSERT INTO runs(" + list(run_cols) + ") SELECT " + list(run_cols) +
           " FROM shard.runs; INSERT INTO results(" + list(result_cols) + ") SELECT " +
           list(result_cols) + " FROM shard.results; COMMIT; DETACH DATABASE shard;");
  }
  m.exec(
      "UPDATE meta SET shard = '0/1';"
      "CREATE INDEX IF NOT EXISTS results_run_year_region ON results(run, year, region);"
      "CREATE INDEX IF NOT EXISTS runs_run ON runs(run);");
  m.close();
  m.file->commit();
}

std::vector<StoreRecord> read_store_provenance(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  const std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
  auto fail = [&](const std::string& what) {
    throw InputError(path, "", fmt::format("SQLite: {}: {}", what, sqlite3_errmsg(db)));
  };
  if (rc != SQLITE_OK) fail("cannot open");
  // The store is input: nothing in its schema (views, triggers, functions) runs here.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_stmt* s = nullptr;
  auto prepare = [&](const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) fail("read");
  };
  prepare("SELECT type FROM sqlite_schema WHERE name = 'meta'");
  const auto* type = sqlite3_step(s) == SQLITE_ROW
                         ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0))
                         : nullptr;
  const bool table = type != nullptr && std::string_view(type) == "table";
  sqlite3_finalize(s);
  if (!table) throw InputError(path, "", "not a dcplan SQLite store (no meta table)");
  prepare(
      "SELECT sweep, kind, dcplan, \"commit\", command, scenario_sha256, seed, time FROM meta "
      "ORDER BY sweep");
  auto text = [&](int i) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return t != nullptr ? std::string(t) : std::string();
  };
  std::vector<StoreRecord> out;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    StoreRecord r;
    r.sweep = sqlite3_column_int64(s, 0);
    r.kind = text(1);
    r.provenance.version = text(2);
    r.provenance.commit = text(3);
    r.provenance.command = text(4);
    r.provenance.scenario_sha256 = text(5);
    // Seeds are stored as the int64 of the same 64 bits (begin()).
    if (sqlite3_column_type(s, 6) == SQLITE_INTEGER)
      r.provenance.seed = static_cast<std::uint64_t>(sqlite3_column_int64(s, 6));
    r.provenance.time = text(7);
    out.push_back(std::move(r));
  }
  sqlite3_finalize(s);
  if (step != SQLITE_DONE) fail("read meta");
  return out;
}

}  // namespace dcplan::io
