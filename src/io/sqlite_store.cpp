// The results store (dcplan/io/sqlite_store.hpp, docs/sqlite.md). Why it is written as it is:
//
//   - Whole or not at all. Every store is built in a temporary file (AtomicFile) and renamed
//     over the target on commit(): a new store, an --append (a copy of the old store with a
//     sweep added) and a merge (a copy of the first shard with the others' rows added). A
//     reader never sees a half-written store, and a failed run leaves the old one untouched.
//     The temporary needs no journal (nothing else opens it, and a crash just loses it), so
//     journaling and fsync are off: a sweep writes millions of rows.
//   - A store read by dcplan may come from elsewhere (a shard from another machine, an artefact
//     of a pull request's CI). An SQLite file can carry SQL that runs when it is used: triggers
//     that fire on dcplan's INSERTs and rewrite rows, views that recurse without end, functions
//     named in its schema. open() therefore disables triggers and views, turns trusted_schema
//     off and sets defensive mode, and check_objects() refuses any object dcplan does not write
//     and any table not of dcplan's shape, before a row is read or added.
//   - No string is spliced into SQL as a value: values are bound (sqlite3_bind_*), and the
//     names dcplan must put into SQL (metric and parameter columns, chosen by the user or
//     the scenario) go through quoted(), SQLite's identifier quoting.
//   - Concurrent --append to one store wait for each other (StoreLock), so that neither
//     silently drops the other's sweep by renaming over it.
#include "dcplan/io/sqlite_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/atomic_file.hpp"
#include "dcplan/io/cells.hpp"
#include "json_io.hpp"

namespace dcplan::io {

namespace {

//! An SQL identifier for any text: double-quoted, inner quotes doubled.
//! A NUL would end the identifier early in the C string SQLite reads, so it becomes '?'.
std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c == '\0' ? '?' : c;
  }
  return out + "\"";
}

// The tables dcplan writes (docs/sqlite.md). `runs` and `results` gain a column per parameter
// and metric as sweeps need them (ensure); every statement is idempotent (IF NOT EXISTS), so an
// --append runs it again on the copy.
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

//! The statistics of whole runs (sweep --summary with --targets or --ratio), which have no
//! year: made when a store first holds them, so that other stores keep their schema.
constexpr const char* kRunSummarySchema = R"(
CREATE TABLE IF NOT EXISTS run_summary(sweep INTEGER NOT NULL, metric TEXT NOT NULL,
  region TEXT, n INTEGER, mean REAL, p5 REAL, p50 REAL, p95 REAL, low REAL, high REAL);
)";

//! dcplan's indices, made on commit.
constexpr const char* kIndices =
    "CREATE INDEX IF NOT EXISTS results_run_year_region ON results(run, year, region);"
    "CREATE INDEX IF NOT EXISTS runs_run ON runs(run);";

//! The most runs a sweep has (sweep::kMaxRuns): a shard's meta claiming more is malformed.
// The same bound as the sweep's: a meta row is data from a file, not trusted to be sane.
constexpr long long kMaxRuns = 1000000000LL;

//! Binds a double, or NULL for NaN (an empty cell).
void bind_real(sqlite3_stmt* s, int at, double v) {
  if (!std::isnan(v)) sqlite3_bind_double(s, at, v);
}

//! Binds text; SQLITE_TRANSIENT makes SQLite copy it, since `v` may not outlive the step.
void bind_text(sqlite3_stmt* s, int at, const std::string& v) {
  sqlite3_bind_text(s, at, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

//! ASCII lower case: SQLite compares column names case-insensitively for ASCII only.
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

//! What a file that is not a regular one is, for a message.
std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

//! Refuses a path that exists and is not a regular file, before anything opens it (opening a
//! FIFO waits for a peer that never comes).
void require_regular(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw InputError(path, "",
                     "sqlite needs a regular file, found " + file_kind(st.st_mode) +
                         " (a store is written beside it and renamed into place)");
  }
}

//! A whole decimal number in [0, max], or -1.
//! At most 12 digits, so the value cannot overflow before it is compared with `max`.
long long whole_number(std::string_view text, long long max) {
  if (text.empty() || text.size() > 12) return -1;
  long long v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v <= max ? v : -1;
}

//! Copies the file open as `in` into `temp`, naming the failure: a store that cannot be read, a
//! copy that cannot be written (a full disk, a file-size limit).
//! The copy reads by pread from an open descriptor (under --append, the locked one whose file
//! was checked), not by path, so it copies the file that was opened even if the name is
//! replaced meanwhile; the copy's objects are then checked again before use.
void copy_file(int in, const std::string& source, const std::string& temp,
               const std::string& shown) {
  // The temporary exists already (mkostemp made it, exclusively): opened again by its name,
  // which is ours, and truncated.
  const int out = ::open(temp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (out < 0)
    throw InputError(shown, "", "cannot copy the store: " + std::string(strerror(errno)));
  std::array<char, 1 << 16> buf{};
  off_t at = 0;
  for (;;) {
    const ssize_t n = ::pread(in, buf.data(), buf.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(out);
      throw InputError(source, "", "cannot read the store: " + std::string(strerror(err)));
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        const int err = errno;
        ::close(out);
        throw InputError(shown, "", "cannot copy the store: " + std::string(strerror(err)));
      }
      done += w;
    }
    at += n;
  }
  if (::close(out) != 0) {
    throw InputError(shown, "", "cannot copy the store: " + std::string(strerror(errno)));
  }
}

//! A column of a table: name and declared type.
struct Column {
  std::string name, type;
  int hidden = 0;  //!< table_xinfo: 0 a plain column, else hidden or generated
  bool operator==(const Column& o) const { return name == o.name && type == o.type; }
};

//! The columns of `schema`.`table` (PRAGMA table_xinfo), in order.
std::vector<Column> columns_of(sqlite3* db, const std::string& schema, const std::string& table) {
  std::vector<Column> out;
  sqlite3_stmt* s = nullptr;
  const std::string sql = "PRAGMA " + quoted(schema) + ".table_xinfo(" + quoted(table) + ")";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return out;
  auto text = [&](int i) {
    const auto* t = sqlite3_column_text(s, i);
    return t != nullptr ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while (sqlite3_step(s) == SQLITE_ROW) out.push_back({text(1), text(2), sqlite3_column_int(s, 6)});
  sqlite3_finalize(s);
  return out;
}

//! dcplan's own objects, as the schema above makes them: each table's columns (those it is made
//! with) and each index's SQL. Built once from kSchema, kCompareSchema and kIndices in memory, so
//! the check cannot drift from what dcplan writes.
struct Reference {
  std::map<std::string, std::vector<Column>> tables;
  std::map<std::string, std::string> indices;
};

//! Built once, on first use (thread-safe static), from the same SQL that makes a store.
const Reference& reference() {
  static const Reference ref = [] {
    Reference r;
    sqlite3* db = nullptr;
    // An in-memory database made by dcplan's own SQL: what PRAGMA reports for it is exactly
    // what a store dcplan made reports.
    sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, nullptr);
    const std::string sql = std::string(kSchema) + kCompareSchema + kRunSummarySchema + kIndices;
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_stmt* s = nullptr;
    // Every table with its columns (as PRAGMA table_xinfo gives them) and every index with its
    // SQL, as SQLite stores it.
    sqlite3_prepare_v2(db, "SELECT type, name, sql FROM sqlite_schema", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const std::string type = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
      if (type == "table") r.tables[name] = columns_of(db, "main", name);
      if (type == "index")
        r.indices[name] = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return r;
  }();
  return ref;
}

//! Columns a table may gain past those it is made with: `runs` a column per varied parameter,
//! label or target (INTEGER, sweep --targets), `results` per metric, `meta` base_sha256 (a
//! comparison).
//! A generated or hidden column is never accepted: its expression would run on every insert.
bool may_add(const std::string& table, const Column& c) {
  if (c.hidden != 0) return false;
  if (table == "meta") return c.name == "base_sha256" && c.type == "TEXT";
  if (table == "runs" && c.type == "INTEGER") return true;
  return (table == "runs" || table == "results") && (c.type == "REAL" || c.type == "TEXT");
}

//! A shard store, as its meta row describes it.
//! `k` of `n`: the shard's runs are those r with r mod n = k.
struct Shard {
  std::string file, hash, shard;
  long long sweep = 0, runs = 0, k = 0, n = 0;
};

}  // namespace

//! An exclusive lock (flock) on the store a --append adds to, held from before the copy until
//! the copy has replaced it, so two appends at once wait for each other instead of one renaming
//! its copy over the other's. The lock is on the store's inode: a waiter that wakes after the
//! holder renamed its copy into place holds a lock on the replaced file, and locks again the
//! file the path names now. A store that does not exist yet has no inode to lock: its directory
//! is locked instead until the new store is in place (nothing is created to be locked).
class StoreLock {
 public:
  StoreLock() = default;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock() { release(); }

  //! Locks `target` (the file the user's `shown` names, links followed); returns whether it
  //! exists (then fd() reads it).
  bool acquire(const std::string& target, const std::string& shown) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      bool exists = true;
      // O_NONBLOCK: a FIFO planted at the store's name must not hang the open; it is refused
      // below as not a regular file.
      fd_ = ::open(target.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      if (fd_ < 0 && errno == ENOENT) {
        exists = false;
        const std::string dir = std::filesystem::path(target).parent_path().string();
        fd_ = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      }
      if (fd_ < 0) fail(shown, "cannot open the store");
      struct stat held {};
      if (exists && (::fstat(fd_, &held) != 0 || !S_ISREG(held.st_mode))) {
        throw InputError(shown, "",
                         "sqlite needs a regular file, found " + file_kind(held.st_mode));
      }
      // Try first without waiting, so that a user whose append waits is told why.
      if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) fail(shown, "cannot lock the store");
        if (attempt == 0) spdlog::info("{}: waiting for another dcplan adding to the store", shown);
        while (::flock(fd_, LOCK_EX) != 0) {
          if (errno != EINTR) fail(shown, "cannot lock the store");
        }
      }
      // Still what the path names (not a store another append has since put in place)?
      struct stat now {};
      const bool found = ::stat(target.c_str(), &now) == 0;
      if (exists ? found && ::fstat(fd_, &held) == 0 && held.st_dev == now.st_dev &&
                       held.st_ino == now.st_ino
                 : !found && errno == ENOENT) {
        return exists;
      }
      ::close(fd_);
      fd_ = -1;
    }
    // A thousand replacements in a row is not contention but something replacing the file in a
    // loop: give up rather than spin.
    throw InputError(shown, "", "--append: cannot lock the store: it keeps being replaced");
  }
  [[nodiscard]] int fd() const { return fd_; }
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  [[noreturn]] static void fail(const std::string& shown, const std::string& what) {
    throw InputError(shown, "", "--append: " + what + ": " + std::string(strerror(errno)));
  }
  int fd_ = -1;
};

struct SqliteStore::Impl {
  // path: the store as the user named it (messages); lock, file: the --append lock and the
  // temporary that replaces the store on commit; the statements of begin(), reused per row.
  std::string path;
  StoreLock lock;  //!< --append: released once the copy has replaced the store (or is removed)
  // The temporary that replaces `path` on commit.
  std::unique_ptr<AtomicFile> file;
  sqlite3* db = nullptr;
  long long sweep = 0;
  sqlite3_stmt* run_stmt = nullptr;
  sqlite3_stmt* row_stmt = nullptr;
  sqlite3_stmt* summary_stmt = nullptr;
  sqlite3_stmt* run_summary_stmt = nullptr;  //!< made by the first add_run_summary
  std::size_t params = 0;
  std::size_t labels = 0;
  std::size_t flags = 0;
  std::vector<int> columns;
  // Runs since the last COMMIT (add_run commits every kChunk).
  long long runs_in_transaction = 0;
  bool committed = false;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { close(); }

  //! Throws InputError with SQLite's own message for the last error on `db`.
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path, "",
                     fmt::format("SQLite: {}: {}", what, db != nullptr ? sqlite3_errmsg(db) : "?"));
  }
  //! Runs SQL without results (dcplan's own fixed statements, and identifiers quoted).
  void exec(const std::string& sql) const {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw InputError(path, "", "SQLite: " + message);
    }
  }
  //! A prepared statement the caller finalizes; throws InputError when SQLite refuses it.
  sqlite3_stmt* prepare(const std::string& sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) fail("prepare");
    return s;
  }
  //! Runs a statement that returns no row, then makes it ready for the next bindings: an unset
  //! parameter is NULL, so a row never inherits a value from the row before.
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
    // SQLite's column names ignore (ASCII) case: a column of another case is the same column.
    // Adding a column that exists in another case would fail ("duplicate column name"); the
    // loader refuses ids that differ only in case for the same reason.
    std::set<std::string> present;
    for (const auto& name : table_columns(table)) present.insert(lower(name));
    for (const auto& [name, type] : wanted) {
      if (present.insert(lower(name)).second) {
        exec("ALTER TABLE " + quoted(table) + " ADD COLUMN " + quoted(name) + " " + type);
      }
    }
  }
  //! Creates the temporary file that replaces `path` on commit.
  void create_temporary() {
    require_regular(path);
    file = std::make_unique<AtomicFile>(path);
    if (file->temp_path().empty()) {
      throw InputError(path, "", "sqlite needs a regular file, not a device or a pipe");
    }
  }
  //! Opens the temporary file that replaces `path` on commit, holding a copy of the file open
  //! as `source_fd` (named `source`: a store to add to, or the first shard; -1: a new store).
  void open_temporary(int source_fd = -1, const std::string& source = "") {
    if (!file) create_temporary();
    if (source_fd >= 0) copy_file(source_fd, source, file->temp_path(), path);
    open(file->temp_path(), false);
  }
  //! Opens a store so that nothing in it runs: no trigger, no view, no function the schema
  //! names (trusted_schema off), and defensive mode (no SQL that corrupts the file). A temporary
  //! store needs no journal (it is renamed into place when complete).
  void open(const std::string& file_path, bool read_only) {
    const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(file_path.c_str(), &db, flags, nullptr) != SQLITE_OK) fail("open");
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
    exec("PRAGMA trusted_schema=OFF;");
    // Before defensive mode, which ignores journal_mode=OFF.
    if (!read_only) exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  }
  //! Refuses a store (schema main, or an attached shard) holding anything but dcplan's tables,
  //! of their shape, and its indices: a trigger would rewrite rows, a view could loop forever,
  //! a table of another shape would take rows dcplan did not mean. `needed`: tables it must have.
  void check_objects(const std::string& schema, const std::string& file_name,
                     const std::vector<std::string>& needed) const {
    // Every object of the store is listed from its schema table first (nothing is run by
    // listing), then judged.
    const Reference& ref = reference();
    auto refuse = [&](const std::string& what) {
      throw InputError(file_name, "",
                       what + " (a store holds only dcplan's tables and indices; write a new one)");
    };
    struct Object {
      std::string type, name, sql;
    };
    // All objects are read first and the statement finalised before any is judged: refuse()
    // throws.
    std::vector<Object> objects;
    sqlite3_stmt* s =
        prepare("SELECT type, name, sql FROM " + quoted(schema) + ".sqlite_schema ORDER BY rowid");
    auto text = [&](int i) {
      const auto* t = sqlite3_column_text(s, i);
      return t != nullptr ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    while (sqlite3_step(s) == SQLITE_ROW) objects.push_back({text(0), text(1), text(2)});
    sqlite3_finalize(s);
    // dcplan's names first (a view named results says more than the table it hides), then the
    // objects it does not write.
    std::set<std::string> tables;
    std::string refused;
    for (const auto& [type, name, sql] : objects) {
      if (ref.tables.count(name) == 0 || !refused.empty()) continue;
      const std::string shown = "\"" + jsonio::excerpt(name) + "\"";
      if (type != "table") {
        refused = shown + " is a " + jsonio::excerpt(type) + ", not the table dcplan writes";
        // A virtual table is made by a module, whose code runs on every access.
      } else if (lower(sql).rfind("create table", 0) != 0) {
        refused = shown + " is a virtual table, not the table dcplan writes";
      } else {
        tables.insert(name);
      }
    }
    for (const auto& [type, name, sql] : objects) {
      if (ref.tables.count(name) != 0 || !refused.empty()) continue;
      // ANALYZE's statistics are numbers for the query planner, nothing that runs.
      if (type == "table" && name.rfind("sqlite_stat", 0) == 0) continue;
      // An index dcplan makes is accepted only with dcplan's exact SQL: an index on an
      // expression would run that expression on every insert.
      if (type == "index" && ref.indices.count(name) != 0 && ref.indices.at(name) == sql) continue;
      refused = "the store holds " + jsonio::excerpt(type) + " \"" + jsonio::excerpt(name) +
                "\", which dcplan does not write";
    }
    if (!refused.empty()) refuse(refused);
    // The tables this use of the store needs (meta for an append, all four for a shard).
    for (const auto& name : needed) {
      if (tables.count(name) == 0) {
        throw InputError(file_name, "", "not a dcplan SQLite store (no " + name + " table)");
      }
    }
    // Each of dcplan's tables: its first columns exactly those it is made with, in order and
    // of their type, then only the columns dcplan adds (may_add).
    for (const auto& name : tables) {
      const auto& want = ref.tables.at(name);
      const auto have = columns_of(db, schema, name);
      for (std::size_t i = 0; i < have.size(); ++i) {
        const Column& c = have[i];
        if (i < want.size() ? c == want[i] && c.hidden == 0 : may_add(name, c)) continue;
        refuse(fmt::format(
            "table \"{}\" is not the table dcplan writes: its column {} is \"{}\" {}{}{}", name,
            i + 1, jsonio::excerpt(c.name), jsonio::excerpt(c.type),
            c.hidden != 0 ? " (generated)" : "",
            i < want.size() ? fmt::format(", expected \"{}\" {}", want[i].name, want[i].type)
                            : std::string()));
      }
      if (have.size() < want.size()) {
        refuse(fmt::format("table \"{}\" is not the table dcplan writes: it lacks column \"{}\"",
                           name, want[have.size()].name));
      }
    }
  }
  static Shard read_shard(const std::string& file, long long& rows_per_run, bool check_rows,
                          const Shard* first);
  //! A shard's runs (K, K + N, ... of its sweep, each once, none missing) and rows (of its sweep
  //! id, as many for every run as `rows_per_run`, which the first shard sets), as the csv merge
  //! checks them.
  void check_shard_rows(const Shard& s, long long& rows_per_run) const;
  void close() {
    for (sqlite3_stmt* s : {run_stmt, row_stmt, summary_stmt, run_summary_stmt})
      sqlite3_finalize(s);
    run_stmt = row_stmt = summary_stmt = run_summary_stmt = nullptr;
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

//! (Declared in dcplan/io/sqlite_store.hpp.) Without --append the target's old content is never
//! read: a new store is made in the temporary and replaces the target on commit. With --append
//! the store is locked, its first bytes checked for SQLite's magic before SQLite parses it,
//! copied into the temporary through the locked descriptor, and its objects checked in the copy.
SqliteStore::SqliteStore(const std::string& path, bool append) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  if (path.empty() || path == "-") {
    throw InputError("--format", "", "sqlite needs a file: give -o FILE");
  }
  require_regular(path);
  if (!append) {
    m.open_temporary();
    m.exec(kSchema);
    return;
  }
  // The store is locked from before its copy until the copy has replaced it.
  // The temporary first (it needs the target's name with links followed), then the lock on
  // that target.
  m.create_temporary();
  // Locked by the file the path finally names (links followed), which the rename will replace.
  const bool existing = m.lock.acquire(m.file->target(), path);
  // The file must begin with SQLite's magic, "SQLite format 3", read through the locked
  // descriptor before SQLite parses anything of it.
  std::array<char, 16> head{};
  if (existing && (::pread(m.lock.fd(), head.data(), head.size(), 0) != 16 ||
                   std::string(head.data(), 15) != "SQLite format 3")) {
    throw InputError(path, "", "--append: not an SQLite file (expected a store dcplan wrote)");
  }
  // No store yet: a new one, made under the directory's lock.
  if (!existing) {
    m.open_temporary();
  } else {
    m.open_temporary(m.lock.fd(), path);
    m.check_objects("main", path, {"meta"});
  }
  m.exec(kSchema);
}

SqliteStore::~SqliteStore() {
  impl_->close();  // an uncommitted store: the AtomicFile removes the temporary file
}

//! (Declared in dcplan/io/sqlite_store.hpp.) The new sweep's id is one more than the largest in
//! meta, so sweeps appended to one store stay apart; the statements of the sweep's rows are
//! prepared once here, with a column per parameter and metric, and reused for every row.
long long SqliteStore::begin(const StoreSweep& sw, const Provenance& p) {
  Impl& m = *impl_;
  // One transaction from the meta row on: the id read here cannot be taken by anyone else (the
  // temporary file is ours), and the sweep's rows are written in few large transactions.
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
  // SQLite integers are signed 64-bit: a seed above 2^63 is stored as the int64 of the same 64
  // bits, and read back the same way (read_provenance).
  if (p.seed) sqlite3_bind_int64(meta, 7, static_cast<sqlite3_int64>(*p.seed));
  text(8, p.time);
  text(9, sw.sweep_hash);
  sqlite3_bind_int64(meta, 10, sw.runs);
  text(11, fmt::format("{}/{}", sw.shard_k, sw.shard_n));
  m.step(meta);
  sqlite3_finalize(meta);
  // A comparison's base hash is a column only stores of comparisons have.
  if (!sw.base_sha256.empty()) {
    m.ensure("meta", {{"base_sha256", "TEXT"}});
    sqlite3_stmt* base = m.prepare("UPDATE meta SET base_sha256 = ? WHERE sweep = ?");
    bind_text(base, 1, sw.base_sha256);
    sqlite3_bind_int64(base, 2, m.sweep);
    m.step(base);
    sqlite3_finalize(base);
  }
  // A column per varied parameter (REAL) and label (TEXT) in `runs`, per metric in `results`
  // (TEXT for the words of `limit`); a store appended to keeps its old columns, and rows of
  // sweeps without a column hold NULL there.
  std::vector<std::pair<std::string, const char*>> params, results;
  for (const auto& name : sw.params) params.emplace_back(name, "REAL");
  for (const auto& name : sw.labels) params.emplace_back(name, "TEXT");
  for (const auto& name : sw.flags) params.emplace_back(name, "INTEGER");
  for (int c : sw.columns) {
    const ColumnInfo& info = column_info(static_cast<Col>(c));
    results.emplace_back(info.name, info.kind == ColumnKind::kText ? "TEXT" : "REAL");
  }
  m.ensure("runs", params);
  m.ensure("results", results);
  m.params = sw.params.size();
  m.labels = sw.labels.size();
  m.flags = sw.flags.size();
  m.columns = sw.columns;
  // The INSERTs name their columns (quoted) and bind every value: a parameter's name is a JSON
  // pointer the user wrote, and only ever reaches SQL as a quoted identifier.
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

//! (Declared in dcplan/io/sqlite_store.hpp.) A transaction is committed every kChunk runs: one
//! transaction per row would be slow, one for the whole sweep would hold all its pages.
void SqliteStore::add_run(long long run, const std::vector<double>& params,
                          const std::vector<std::string>& labels,
                          const std::vector<std::uint8_t>& flags) {
  Impl& m = *impl_;
  if (++m.runs_in_transaction >= kChunk) {
    m.exec("COMMIT; BEGIN");
    m.runs_in_transaction = 0;
  }
  // Parameters beyond what begin() declared are ignored rather than written to no column.
  sqlite3_bind_int64(m.run_stmt, 1, m.sweep);
  sqlite3_bind_int64(m.run_stmt, 2, run);
  for (std::size_t i = 0; i < m.params && i < params.size(); ++i) {
    sqlite3_bind_double(m.run_stmt, static_cast<int>(i) + 3, params[i]);
  }
  for (std::size_t i = 0; i < m.labels && i < labels.size(); ++i) {
    bind_text(m.run_stmt, static_cast<int>(m.params + i) + 3, labels[i]);
  }
  for (std::size_t i = 0; i < m.flags && i < flags.size(); ++i) {
    sqlite3_bind_int(m.run_stmt, static_cast<int>(m.params + m.labels + i) + 3, flags[i] != 0);
  }
  m.step(m.run_stmt);
}

//! (Declared in dcplan/io/sqlite_store.hpp.) NaN (an empty cell) is stored as NULL, the text
//! column `limit` as its words, exactly as the csv writer spells them (exact_cell).
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
    // `limit` is stored as its words ("grid+power"), not as the bit set the engine keeps.
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
  // Row by row through add_row, the values in the store's columns (StoreSweep::columns).
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
  // The statistics; NaN (no value in any run) is NULL.
  int at = 6;
  for (const double v : {mean, p5, p50, p95}) {
    bind_real(s, at++, v);
  }
  m.step(s);
}

//! (Declared in dcplan/io/sqlite_store.hpp.) The table is made, and its statement prepared, by
//! the first row: a store without whole-run statistics keeps the schema it always had.
void SqliteStore::add_run_summary(const std::string& metric, const std::string& region, long long n,
                                  const std::array<double, 6>& stats) {
  Impl& m = *impl_;
  if (m.run_summary_stmt == nullptr) {
    m.exec(kRunSummarySchema);
    m.run_summary_stmt = m.prepare(
        "INSERT INTO run_summary(sweep, metric, region, n, mean, p5, p50, p95, low, high) "
        "VALUES(?,?,?,?,?,?,?,?,?,?)");
  }
  sqlite3_stmt* s = m.run_summary_stmt;
  sqlite3_bind_int64(s, 1, m.sweep);
  bind_text(s, 2, metric);
  if (!region.empty()) bind_text(s, 3, region);
  sqlite3_bind_int64(s, 4, n);
  // mean, p5, p50, p95, low, high; NaN (none) is NULL.
  int at = 5;
  for (const double v : stats) bind_real(s, at++, v);
  m.step(s);
}

//! (Declared in dcplan/io/sqlite_store.hpp.) The comparison tables are made only when a store
//! first holds a comparison; gate texts, which come from the command line or a gates file, are
//! bound as values like every other string.
void SqliteStore::add_comparison(const std::vector<CompareRow>& rows,
                                 const std::vector<GateResult>& gates) {
  Impl& m = *impl_;
  // Made when a store first holds a comparison (IF NOT EXISTS: again on an append).
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
  // Every gate with its decision, the year or years that decided it and its detail line.
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

//! (Declared in dcplan/io/sqlite_store.hpp.) The indices are made last, once the rows are in: an
//! index updated on every insert would slow the sweep. The lock of an --append is released only
//! after the rename, so the next append copies this store with its sweep in it.
void SqliteStore::commit() {
  Impl& m = *impl_;
  m.exec(std::string("COMMIT;") + kIndices);
  m.close();
  m.file->commit();
  m.lock.release();
  m.committed = true;
}

//! Reads a shard's meta row, its shape checked first; then checks its runs and rows as the csv
//! merge does: run r of shard K/N has r mod N = K, every one of them present once, each with
//! rows_per_run rows (the first run's, when -1), all of the store's sweep id.
void SqliteStore::Impl::check_shard_rows(const Shard& s, long long& rows_per_run) const {
  auto bad = [&](const std::string& what) { throw InputError(s.file, "", what); };
  // The number of runs r < runs with r mod n = k: those of this shard.
  const long long count = s.runs <= s.k ? 0 : (s.runs - s.k + s.n - 1) / s.n;
  // Runs: K, K + N, ... in order, each once.
  sqlite3_stmt* q =
      prepare("SELECT run, sweep IS ?1 AND typeof(run) = 'integer' FROM runs ORDER BY run");
  sqlite3_bind_int64(q, 1, s.sweep);
  long long i = 0;
  std::string problem;
  while (problem.empty() && sqlite3_step(q) == SQLITE_ROW) {
    const long long run = sqlite3_column_int64(q, 0), expected = s.k + i * s.n;
    if (sqlite3_column_int(q, 1) == 0) {
      problem = fmt::format("run {} is not of sweep {} (its meta's)", run, s.sweep);
    } else if (run < 0 || run >= s.runs || run % s.n != s.k) {
      problem = fmt::format("run {} does not belong in shard {}/{} (its runs r have r mod {} = {})",
                            run, s.k, s.n, s.n, s.k);
    } else if (run < expected) {
      problem = fmt::format("run {} given twice", run);
    } else if (run > expected) {
      problem = fmt::format("expected run {}, found run {}", expected, run);
    } else {
      ++i;
    }
  }
  sqlite3_finalize(q);
  if (!problem.empty()) bad(problem);
  if (i < count) bad(fmt::format("the shard ends before run {} (truncated?)", s.k + i * s.n));
  // Rows: of the store's sweep id (one scan), as many for every run (of the whole sweep; counted
  // on the index).
  q = prepare(
      "SELECT run, sweep FROM results WHERE sweep IS NOT ?1 OR typeof(run) != 'integer' LIMIT 1");
  sqlite3_bind_int64(q, 1, s.sweep);
  if (sqlite3_step(q) == SQLITE_ROW) {
    auto text = [&](int c) {
      const auto* t = sqlite3_column_text(q, c);
      return t != nullptr ? jsonio::excerpt(reinterpret_cast<const char*>(t)) : "NULL";
    };
    problem = fmt::format("rows of run {} are not of sweep {} (its meta's): sweep {}", text(0),
                          s.sweep, text(1));
  }
  sqlite3_finalize(q);
  if (!problem.empty()) bad(problem);
  // Every run of the shard with as many rows as the first run of shard 0: rows per run depend
  // only on the scenario's shape, the same in every run of a sweep.
  q = prepare("SELECT run, COUNT(*) FROM results GROUP BY run ORDER BY run");
  i = 0;
  while (problem.empty() && sqlite3_step(q) == SQLITE_ROW) {
    const long long run = sqlite3_column_int64(q, 0), rows = sqlite3_column_int64(q, 1);
    const long long expected = s.k + i * s.n;
    if (i >= count || run < expected) {
      problem = fmt::format("rows of run {}, which the shard does not hold", run);
    } else if (run > expected) {
      problem = fmt::format("expected run {}, found run {}", expected, run);
    } else {
      if (rows_per_run < 0) rows_per_run = rows;
      if (rows != rows_per_run) {
        problem = fmt::format("run {} has {} rows, the others {}", run, rows, rows_per_run);
      }
      ++i;
    }
  }
  sqlite3_finalize(q);
  if (!problem.empty()) bad(problem);
  if (i < count) bad(fmt::format("the shard ends before run {} (truncated?)", s.k + i * s.n));
}

//! Opened read-only and checked (check_objects) before any query reads it. A store of several
//! sweeps, a run or a comparison, or a --summary store, is not a shard.
Shard SqliteStore::Impl::read_shard(const std::string& file, long long& rows_per_run,
                                    bool check_rows, const Shard* first) {
  Shard s;
  s.file = file;
  require_regular(file);
  Impl r;
  r.path = file;
  // Read-only, and checked before any query of dcplan's reads it.
  r.open(file, true);
  r.check_objects("main", file, {"meta", "runs", "results", "summary"});
  sqlite3_stmt* q = r.prepare(
      "SELECT sweep, sweep_hash, runs, shard, kind, (SELECT COUNT(*) FROM meta), "
      "(SELECT COUNT(*) FROM summary) FROM meta");
  if (sqlite3_step(q) != SQLITE_ROW) {
    sqlite3_finalize(q);
    throw InputError(file, "", "not a dcplan SQLite store (no meta row)");
  }
  auto col = [&](int i) {
    const auto* t = sqlite3_column_text(q, i);
    return t != nullptr ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  s.sweep = sqlite3_column_int64(q, 0);
  s.hash = col(1);
  s.runs = sqlite3_column_type(q, 2) == SQLITE_INTEGER ? sqlite3_column_int64(q, 2) : -1;
  s.shard = col(3);
  const std::string kind = col(4);
  const long long sweeps = sqlite3_column_int64(q, 5), summaries = sqlite3_column_int64(q, 6);
  sqlite3_finalize(q);
  // A merge joins the shards of one sweep; a store that holds anything else is refused.
  if (sweeps != 1 || kind != "sweep") {
    throw InputError(file, "", "expected one sweep shard (a store of several sweeps or a run)");
  }
  if (summaries != 0) throw InputError(file, "", "--summary stores cannot be merged");
  if (s.runs < 0 || s.runs > kMaxRuns) {
    throw InputError(file, "", "malformed runs count in meta (expected a store dcplan wrote)");
  }
  // shard "K/N" from meta, parsed strictly: both whole numbers, 0 <= K < N.
  const auto slash = s.shard.find('/');
  s.k = slash == std::string::npos
            ? -1
            : whole_number(std::string_view(s.shard).substr(0, slash), kMaxRuns);
  s.n = slash == std::string::npos
            ? -1
            : whole_number(std::string_view(s.shard).substr(slash + 1), kMaxRuns);
  if (s.n < 1 || s.k < 0 || s.k >= s.n) {
    throw InputError(file, "", "malformed shard \"" + jsonio::excerpt(s.shard) + "\" in meta");
  }
  // Shards of one sweep each hold it under the same id (each was a new store): a shard whose
  // rows carry another id would merge into rows of no sweep.
  if (first != nullptr && s.sweep != first->sweep) {
    throw InputError(
        file, "",
        fmt::format("its meta names sweep {}, {}'s sweep {}", s.sweep, first->file, first->sweep));
  }
  if (check_rows) r.check_shard_rows(s, rows_per_run);
  return s;
}

//! (Declared in dcplan/io/sqlite_store.hpp.) The same rules as the csv merge (sweep/merge.cpp):
//! one sweep (hash and run count), one n, each k once and none missing, every run present once
//! with as many rows. All is checked before anything is written; the merged store then says
//! shard 0/1, a whole sweep, like a sweep run without --shard.
//!
//! Each shard's meta and shape are read first, without its rows (cheap refusals before the
//! scans); the rows are then scanned in shard order, so that rows_per_run is set by shard 0's
//! first run and every other run is held to it. The first shard is opened O_NONBLOCK (a FIFO
//! put in its place after its check must not hang the open) and copied whole; every other
//! shard is attached by a bound file name (it may hold quotes) and must have the first's
//! columns in the same order, since its rows are copied by column list and other columns would
//! shift values into the wrong ones.
void SqliteStore::merge(const std::vector<std::string>& shards, const std::string& path) {
  if (shards.empty()) throw InputError("merge", "", "no files to merge");
  // Every shard's meta and shape, then the set of shards (as the csv merge), then every shard's
  // runs and rows, in shard order; only then is anything written.
  long long rows_per_run = -1;
  std::vector<Shard> info;
  for (const auto& file : shards) {
    info.push_back(Impl::read_shard(file, rows_per_run, false, info.empty() ? nullptr : &info[0]));
  }
  const Shard& s0 = info[0];
  std::map<long long, const Shard*> by_shard;
  for (const auto& s : info) {
    if (s.hash != s0.hash || s.runs != s0.runs) {
      throw InputError(
          s.file, "",
          fmt::format("shard of a different sweep: hash {} (runs {}) vs {} (runs {}) "
                      "in {}; merge only the shards of one sweep",
                      jsonio::excerpt(s.hash), s.runs, jsonio::excerpt(s0.hash), s0.runs, s0.file));
    }
    if (s.n != s0.n) {
      throw InputError(s.file, "",
                       fmt::format("shard {}/{} does not belong with {}/{}", s.k, s.n, s0.k, s0.n));
    }
    if (!by_shard.emplace(s.k, &s).second) {
      throw InputError(s.file, "", fmt::format("shard {}/{} given twice", s.k, s.n));
    }
  }
  for (long long k = 0; k < s0.n; ++k) {
    if (by_shard.count(k) == 0) {
      throw InputError("merge", "", fmt::format("shard {}/{} is missing", k, s0.n));
    }
  }
  for (const auto& [k, s] : by_shard) (void)Impl::read_shard(s->file, rows_per_run, true, &s0);
  // The first shard copied whole (its shape checked again in the copy), the others' rows added.
  Impl m;
  m.path = path;
  {
    const int in = ::open(shards[0].c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (in < 0)
      throw InputError(shards[0], "", "cannot read the store: " + std::string(strerror(errno)));
    try {
      m.open_temporary(in, shards[0]);
    } catch (...) {
      ::close(in);
      throw;
    }
    ::close(in);
  }
  m.check_objects("main", shards[0], {"meta", "runs", "results", "summary"});
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
    m.check_objects("shard", shards[i], {"meta", "runs", "results", "summary"});
    if (m.table_columns("runs", "shard") != run_cols ||
        m.table_columns("results", "shard") != result_cols) {
      throw InputError(shards[i], "", "its tables differ from " + shards[0] + "'s");
    }
    // One transaction per shard (ATTACH cannot run inside one).
    m.exec("BEGIN; INSERT INTO runs(" + list(run_cols) + ") SELECT " + list(run_cols) +
           " FROM shard.runs; INSERT INTO results(" + list(result_cols) + ") SELECT " +
           list(result_cols) + " FROM shard.results; COMMIT; DETACH DATABASE shard;");
  }
  m.exec(std::string("UPDATE meta SET shard = '0/1';") + kIndices);
  m.close();
  m.file->commit();
}

//! (Declared in dcplan/io/sqlite_store.hpp.) For `dcplan verify`: the meta rows of every sweep in
//! the store, read only after the store's objects are checked.
std::vector<StoreRecord> SqliteStore::read_provenance(const std::string& path) {
  require_regular(path);
  Impl m;
  m.path = path;
  m.open(path, true);
  m.check_objects("main", path, {"meta"});
  sqlite3_stmt* s = m.prepare(
      "SELECT sweep, kind, dcplan, \"commit\", command, scenario_sha256, seed, time FROM meta "
      "ORDER BY sweep");
  auto text = [&](int i) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return t != nullptr ? std::string(t) : std::string();
  };
  std::vector<StoreRecord> out;
  int step = SQLITE_ROW;
  // Texts are NULL-safe: a column of a sweep without it reads as "".
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
  if (step != SQLITE_DONE) m.fail("read meta");
  return out;
}

}  // namespace dcplan::io
