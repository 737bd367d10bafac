#include "dcplan/load.hpp"
#include "sha256.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/results.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/selector.hpp"
#include "dcplan/targets.hpp"
#include "dcplan/trajectory.hpp"
#include "json_io.hpp"
#include "load_detail.hpp"
#include "params.hpp"
#include "text.hpp"

namespace dcplan {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using schema::KeyKind;
using schema::Kind;
using schema::Node;

constexpr int kMaxHorizonYears = 200;
constexpr std::size_t kMaxRegions = 2000;
//! Regions x hardware types x years: each limit alone is not enough, their product is what the
//! engine and the results cost (a mix table per region, a row per region, hardware and year).
constexpr double kMaxWork = 1e6;
constexpr std::size_t kMaxHardware = 500;
constexpr std::size_t kMaxChain = 64;  //!< files in one extends/include chain

std::string in_quotes(std::string_view s) {
  return std::string("\"").append(jsonio::excerpt(s)).append("\"");
}

std::string join_ptr(const std::string& base, std::string_view token) {
  return base + "/" + jsonio::escape_token(token);
}

std::string suggestion(std::string_view name, const std::vector<std::string>& known) {
  const auto near = schema::nearest(name, known);
  if (near.empty()) return {};
  return "; did you mean " + in_quotes(near.front()) + "?";
}

//! A directory include and extends may read from, held open: files are opened beneath it, so
//! what the check saw is what is read.
struct Root {
  fs::path lexical;    //!< absolute, as named (symbolic links not followed)
  fs::path canonical;  //!< what the descriptor refers to
  int fd = -1;
  Root() = default;
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;
  Root(Root&& o) noexcept
      : lexical(std::move(o.lexical)), canonical(std::move(o.canonical)), fd(o.fd) {
    o.fd = -1;
  }
  ~Root() {
    if (fd >= 0) ::close(fd);
  }
};

//! Collects diagnostics and knows which file each part of the merged document came from.
class Context {
 public:
  explicit Context(std::string root_file) : root_file_(std::move(root_file)) {}

  void error(const std::string& pointer, std::string message) {
    if (full()) return;
    diagnostics_.push_back({file_for(pointer), pointer, std::move(message), 0, 0});
  }
  [[nodiscard]] bool full() const { return diagnostics_.size() >= kMaxDiagnostics; }
  [[nodiscard]] bool ok() const { return diagnostics_.empty(); }
  [[nodiscard]] std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

  //! Records that `value`, placed at `pointer`, came from `file`.
  void record(const std::string& pointer, const json& value, const std::string& file) {
    provenance_[pointer] = file;
    if (value.is_object()) {
      for (const auto& [k, v] : value.items()) record(join_ptr(pointer, k), v, file);
    }
  }

  //! Directories include/extends may read from.
  std::vector<Root> roots;
  //! Every trajectory of the document, parsed by the validator, by its pointer.
  std::map<std::string, Trajectory> trajectories;
  //! Files read through include/extends so far, and their bytes (bounded: an include bomb).
  std::size_t files_read = 0;
  std::size_t bytes_read = 0;

  [[nodiscard]] std::string file_for(std::string pointer) const {
    while (true) {
      auto it = provenance_.find(pointer);
      if (it != provenance_.end()) return it->second;
      if (pointer.empty()) return root_file_;
      pointer.resize(pointer.rfind('/'));
    }
  }

 private:
  std::string root_file_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, std::string> provenance_;
};

// ---------------------------------------------------------------------------------------------
// Resolution: extends, include, overrides.

struct ChainEntry {
  std::string key;      //!< the file's identity (device:inode), for cycle detection
  std::string display;  //!< path as the user sees it
};

//! A path for a message: its end (the file name) kept, at most 80 bytes.
std::string short_path(std::string_view path) {
  if (path.size() <= 80) return std::string(path);
  std::size_t from = path.size() - 77;
  while (from < path.size() && (static_cast<unsigned char>(path[from]) & 0xC0) == 0x80) ++from;
  return "..." + std::string(path.substr(from));
}

std::string chain_text(const std::vector<ChainEntry>& chain, std::size_t from,
                       const std::string& last) {
  std::string out;
  // Paths come from the files: each bounded (the whole message is escaped when printed).
  for (std::size_t i = from; i < chain.size(); ++i) out += short_path(chain[i].display) + " -> ";
  return out + short_path(last);
}

std::string identity(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

json resolve_text(const std::string& text, const std::string& display, const fs::path& dir,
                  std::vector<ChainEntry>& chain, Context& ctx);

bool within(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

//! The path `path` (absolute, lexically normal) relative to `root`, or nullopt when it is not
//! under it.
std::optional<fs::path> beneath(const fs::path& path, const fs::path& root) {
  if (!within(path, root)) return std::nullopt;
  fs::path rel = path.lexically_relative(root);
  if (rel.empty() || rel == ".") return fs::path(".");
  return rel;
}

//! What the descriptor refers to now, from the kernel (not from a path that may change).
fs::path fd_path(int fd) {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  return ec ? fs::path() : p;
}

//! Opens `rel` beneath the root's descriptor: the kernel refuses any step (a "..", an absolute
//! or escaping symbolic link, a /proc magic link) that would leave the root, atomically with the
//! open. Returns the descriptor, or -1 with errno set (EXDEV: it leads outside).
int open_beneath(const Root& root, const fs::path& rel) {
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root.fd, rel.c_str(), &how, sizeof how);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) return static_cast<int>(fd);
  // No openat2 (a kernel before 5.6, or a sandbox that forbids it): open, then check what was
  // opened, by the descriptor, before reading a byte of it.
  const int plain = ::openat(root.fd, rel.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (plain < 0) return -1;
  const fs::path opened = fd_path(plain);
  if (opened.empty() || !within(opened, root.canonical)) {
    ::close(plain);
    errno = EXDEV;
    return -1;
  }
  return plain;
}

constexpr std::size_t kMaxFilesRead = 256;                   //!< through include/extends, in all
constexpr std::size_t kMaxBytesRead = 128u * 1024u * 1024u;  //!< 128 MiB, in all

//! Reads the file that include/extends `name` (written in a file of `dir`) names, confined to
//! the roots: absolute paths are refused; the file is opened once, beneath a root, and what was
//! opened is what is read. Nothing of a file that failed confinement is ever read or quoted.
json resolve_file(const fs::path& dir, const std::string& name, std::vector<ChainEntry>& chain,
                  Context& ctx, const std::string& from_file, const std::string& from_pointer) {
  const std::string rule =
      " (rule: include and extends may only name files under the directory of the scenario "
      "given on the command line, or under --allow-dir)";
  if (fs::path(name).is_absolute()) {
    throw InputError(from_file, from_pointer,
                     "absolute path \"" + jsonio::excerpt(name) + "\" refused" + rule);
  }
  const std::string display = (dir / fs::path(name)).lexically_normal().string();
  const fs::path absolute = fs::absolute(display).lexically_normal();
  if (chain.size() >= kMaxChain) {
    throw InputError(from_file, from_pointer,
                     "extends/include chain deeper than " + std::to_string(kMaxChain) + " files");
  }
  if (ctx.files_read >= kMaxFilesRead) {
    throw InputError(from_file, from_pointer,
                     "more than " + std::to_string(kMaxFilesRead) +
                         " files read through include and extends (limit of one scenario)");
  }
  int fd = -1;
  int err = 0;
  bool candidate = false;
  for (const auto& root : ctx.roots) {
    for (const fs::path* base : {&root.lexical, &root.canonical}) {
      const auto rel = beneath(absolute, *base);
      if (!rel) continue;
      candidate = true;
      fd = open_beneath(root, *rel);
      if (fd >= 0) break;
      if (err == 0 || err == EXDEV) err = errno;
    }
    if (fd >= 0) break;
  }
  if (fd < 0) {
    if (!candidate || err == EXDEV || err == ELOOP) {
      throw InputError(from_file, from_pointer,
                       "\"" + jsonio::excerpt(name) + "\" leads outside the scenario's directory" +
                           (candidate ? std::string(" through a symbolic link") : std::string()) +
                           rule);
    }
    throw InputError(
        from_file, from_pointer,
        "cannot use " + short_path(display) + ": cannot read the file: " + std::strerror(err));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw InputError(from_file, from_pointer, "cannot use " + short_path(display));
  }
  const std::string key = identity(st);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (chain[i].key == key) {
      throw InputError(from_file, from_pointer,
                       "cycle of extends/include: " + chain_text(chain, i, display));
    }
  }
  std::string text;
  try {
    text = jsonio::read_fd(fd, display);
  } catch (const InputError& e) {
    // Name the file and key that refer to the unreadable file, and the file itself.
    throw InputError(from_file, from_pointer,
                     "cannot use " + short_path(display) + ": " + e.diagnostics().front().message);
  }
  ++ctx.files_read;
  ctx.bytes_read += text.size();
  if (ctx.bytes_read > kMaxBytesRead) {
    throw InputError(from_file, from_pointer,
                     "more than 128 MiB read through include and extends (limit of one scenario)");
  }
  chain.push_back({key, display});
  json out = resolve_text(text, display, fs::path(display).parent_path(), chain, ctx);
  chain.pop_back();
  return out;
}

json resolve_text(const std::string& text, const std::string& display, const fs::path& dir,
                  std::vector<ChainEntry>& chain, Context& ctx) {
  json doc = jsonio::parse(text, display);
  if (!doc.is_object()) {
    throw InputError(
        display, "",
        "expected a JSON object (a scenario or catalog), found " + jsonio::describe(doc));
  }
  json result = json::object();
  if (auto it = doc.find("extends"); it != doc.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      throw InputError(display, "/extends",
                       "expected the path of a scenario file, found " + jsonio::describe(*it));
    }
    result = resolve_file(dir, it->get<std::string>(), chain, ctx, display, "/extends");
  }
  if (auto it = doc.find("include"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) {
      throw InputError(display, "/include",
                       "expected an array of file paths, found " + jsonio::describe(*it));
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& item = (*it)[i];
      const std::string ptr = "/include/" + std::to_string(i);
      if (!item.is_string() || item.get<std::string>().empty()) {
        throw InputError(display, ptr, "expected a file path, found " + jsonio::describe(item));
      }
      result.merge_patch(resolve_file(dir, item.get<std::string>(), chain, ctx, display, ptr));
    }
  }
  doc.erase("extends");
  doc.erase("include");
  ctx.record("", doc, display);
  result.merge_patch(doc);
  return result;
}

//! The schema node for a pointer, or an InputError naming the first key the format lacks.
void check_override_pointer(const std::vector<std::string>& tokens, const std::string& text) {
  const Node* n = &schema::scenario();
  std::string so_far;
  for (const auto& t : tokens) {
    if (n->kind == Kind::kObject) {
      const schema::Field* f = n->field(t);
      if (f == nullptr) {
        std::vector<std::string> names;
        for (const auto& field : n->fields) names.push_back(field.name);
        throw InputError(
            "--set " + jsonio::excerpt(text), join_ptr(so_far, t),
            "the scenario format has no key " + in_quotes(t) +
                (so_far.empty() ? std::string(" at the top level") : " under " + so_far) +
                suggestion(t, names));
      }
      n = f->node.get();
    } else if (n->kind == Kind::kMap || n->kind == Kind::kArray) {
      n = n->items.get();
    } else if (n->kind == Kind::kTrajectory || n->kind == Kind::kBound ||
               n->kind == Kind::kStringList || n->kind == Kind::kYearRange) {
      return;  // inner shape checked by the validator
    } else {
      throw InputError("--set " + jsonio::excerpt(text), join_ptr(so_far, t),
                       so_far + " is " + n->expectation() + " and has no key " + in_quotes(t));
    }
    so_far = join_ptr(so_far, t);
  }
}

void strip_nulls(json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        strip_nulls(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& e : v) strip_nulls(e);
  }
}

void apply_override(json& doc, const std::string& text, Context& ctx) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || text.empty() || text.front() != '/') {
    throw InputError(
        "--set " + jsonio::excerpt(text), "",
        "expected /pointer=VALUE (e.g. /regions/cn-hangzhou/pue=1.15), found " + in_quotes(text));
  }
  const std::string ptr = text.substr(0, eq);
  const std::string raw = text.substr(eq + 1);
  const auto tokens = jsonio::split_pointer(ptr);
  if (tokens.empty()) {
    throw InputError("--set " + jsonio::excerpt(text), "", "cannot replace the whole document");
  }
  if (tokens.front() == "extends" || tokens.front() == "include") {
    throw InputError("--set " + jsonio::excerpt(text), "/" + tokens.front(),
                     "extends and include are resolved before --set applies; write a scenario "
                     "that extends this one instead");
  }
  check_override_pointer(tokens, text);
  json value = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = raw;  // a plain string
  // Create missing parents as objects, but refuse to descend into a non-object.
  json* cur = &doc;
  std::string so_far;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const auto& t = tokens[i];
    if (cur->is_array()) {
      const auto idx = std::strtoul(t.c_str(), nullptr, 10);
      if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos ||
          idx >= cur->size()) {
        throw InputError("--set " + jsonio::excerpt(text), join_ptr(so_far, t),
                         "expected an index into the array " + so_far + " (0 to " +
                             std::to_string(cur->size()) + "), found " + in_quotes(t));
      }
      cur = &(*cur)[idx];
    } else {
      if (cur->is_null()) *cur = json::object();
      if (!cur->is_object()) {
        throw InputError("--set " + jsonio::excerpt(text), so_far,
                         "cannot set " + ptr + ": " + (so_far.empty() ? "/" : so_far) + " is " +
                             jsonio::describe(*cur) + ", not an object");
      }
      cur = &(*cur)[t];
    }
    so_far = join_ptr(so_far, t);
  }
  const auto& last = tokens.back();
  if (cur->is_array()) {
    const auto idx = std::strtoul(last.c_str(), nullptr, 10);
    if (last == "-") {
      cur->push_back(value);
    } else if (last.empty() || last.find_first_not_of("0123456789") != std::string::npos ||
               idx >= cur->size()) {
      throw InputError("--set " + jsonio::excerpt(text), ptr,
                       "expected an index into the array " + so_far + ", found " + in_quotes(last));
    } else {
      (*cur)[idx] = value;
    }
  } else {
    if (cur->is_null()) *cur = json::object();
    if (!cur->is_object()) {
      throw InputError("--set " + jsonio::excerpt(text), so_far,
                       "cannot set " + ptr + ": " + so_far + " is " + jsonio::describe(*cur) +
                           ", not an object");
    }
    (*cur)[last] = value;
  }
  ctx.record(ptr, value, "--set " + jsonio::excerpt(text));
}

//! Opens a directory that include and extends may read from. One that cannot be opened (missing,
//! a symbolic-link loop, unreadable, a name too long, empty) is an error: it must never turn
//! into a root that contains everything.
Root open_root(const std::string& name, const std::string& what) {
  if (name.empty()) throw InputError(what, "", "expected a directory, found an empty string");
  Root r;
  r.fd = ::open(name.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r.fd < 0) {
    throw InputError(
        what, "",
        "cannot use the directory \"" + jsonio::excerpt(name) + "\": " + std::strerror(errno));
  }
  std::error_code ec;
  r.lexical = fs::absolute(name, ec).lexically_normal();
  r.canonical = fd_path(r.fd);
  if (ec || r.lexical.empty() || r.canonical.empty() || !r.canonical.is_absolute()) {
    throw InputError(what, "", "cannot resolve the directory \"" + jsonio::excerpt(name) + "\"");
  }
  return r;
}

json merged(const std::string& text, const std::string& display, const LoadOptions& options,
            Context& ctx) {
  std::vector<ChainEntry> chain;
  struct stat st {};
  chain.push_back(
      {display != "-" && ::stat(display.c_str(), &st) == 0 ? identity(st) : display, display});
  const fs::path dir = display == "-" ? fs::path(".") : fs::path(display).parent_path();
  ctx.roots.push_back(open_root(dir.empty() ? std::string(".") : dir.string(), display));
  for (const auto& extra : options.allow_dirs) ctx.roots.push_back(open_root(extra, "--allow-dir"));
  json doc = resolve_text(text, display, dir, chain, ctx);
  for (const auto& o : options.overrides) apply_override(doc, o, ctx);
  strip_nulls(doc);
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Structural validation against the key table.

bool is_integral(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d) && std::abs(d) < 1e15;
  }
  return false;
}

//! A double from the document as an int. Values out of range were reported by check(); the
//! builder still reads them defensively, and a plain cast would be undefined behaviour.
int as_int(double v) {
  if (!(v > -1e9)) return -1000000000;
  if (!(v < 1e9)) return 1000000000;
  return static_cast<int>(v);
}

bool valid_id(std::string_view k) {
  if (k.empty() || k.size() > 128) return false;
  if (!std::isalnum(static_cast<unsigned char>(k.front()))) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::optional<int> parse_year(std::string_view k) {
  if (k.empty() || k.size() > 5) return std::nullopt;
  std::size_t i = k.front() == '-' ? 1 : 0;
  if (i == k.size()) return std::nullopt;
  int v = 0;
  for (; i < k.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(k[i]))) return std::nullopt;
    v = v * 10 + (k[i] - '0');
  }
  return k.front() == '-' ? -v : v;
}

bool year_in_range(int y) {
  return y >= schema::kFirstYear && y <= schema::kLastYear;
}

bool valid_currency(std::string_view k) {
  return k.size() == 3 &&
         std::all_of(k.begin(), k.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

//! A reporter that may be silent (when re-reading a value already validated).
struct Report {
  Context* ctx;
  void operator()(const std::string& ptr, std::string msg) const {
    if (ctx != nullptr) ctx->error(ptr, std::move(msg));
  }
};

void check_unknown_keys(const json& obj, const std::vector<std::string>& allowed,
                        const std::string& ptr, const std::string& what, Report report) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      report(join_ptr(ptr, k), "unknown key " + in_quotes(k) + " in " + what +
                                   " (expected one of: " + list + ")" + suggestion(k, allowed));
    }
  }
}

std::optional<YearPoints> parse_points(const json& v, const std::string& ptr, Report report,
                                       const Node* bounds) {
  if (!v.is_object() || v.empty()) {
    report(ptr, "expected an object {\"YEAR\": value, ...} with at least one year, found " +
                    jsonio::describe(v));
    return std::nullopt;
  }
  YearPoints points;
  bool ok = true;
  for (const auto& [k, val] : v.items()) {
    const auto year = parse_year(k);
    if (!year || !year_in_range(*year)) {
      report(join_ptr(ptr, k), "expected a year (1900 to 2500) as key, found " + in_quotes(k));
      ok = false;
      continue;
    }
    if (!val.is_number()) {
      report(join_ptr(ptr, k), "expected a number, found " + jsonio::describe(val));
      ok = false;
      continue;
    }
    const double d = val.get<double>();
    if (bounds != nullptr && !bounds->in_bounds(d)) {
      report(join_ptr(ptr, k),
             "expected " + bounds->expectation() + ", found " + jsonio::excerpt_json(val));
      ok = false;
      continue;
    }
    points.emplace_back(*year, d);
  }
  if (!ok) return std::nullopt;
  std::sort(points.begin(), points.end());
  return points;
}

std::optional<double> number_member(const json& obj, const char* key, const std::string& ptr,
                                    Report report, bool required, bool integer = false) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) report(ptr, std::string("missing required key \"") + key + "\"");
    return std::nullopt;
  }
  if (integer ? !is_integral(*it) : !it->is_number()) {
    report(join_ptr(ptr, key), std::string("expected ") + (integer ? "an integer" : "a number") +
                                   ", found " + jsonio::describe(*it));
    return std::nullopt;
  }
  return it->get<double>();
}

//! Parses a trajectory value; reports problems of shape (and of bounds on written numbers).
std::optional<Trajectory> parse_series(const json& v, const Node& node, const std::string& ptr,
                                       Report report) {
  check_unknown_keys(v, {"series", "interp", "then_growth"}, ptr, "a series trajectory", report);
  SeriesTrajectory s;
  auto pts = parse_points(v.at("series"), join_ptr(ptr, "series"), report, &node);
  if (auto it = v.find("interp"); it != v.end()) {
    if (*it == "linear") {
      s.interp = Interp::kLinear;
    } else if (*it == "step") {
      s.interp = Interp::kStep;
    } else {
      report(join_ptr(ptr, "interp"),
             "expected \"linear\" or \"step\", found " + jsonio::describe(*it));
      return std::nullopt;
    }
  }
  if (auto it = v.find("then_growth"); it != v.end()) {
    if (!it->is_number() || !schema::growth_rate().in_bounds(it->get<double>())) {
      report(join_ptr(ptr, "then_growth"), "expected " + schema::growth_rate().expectation() +
                                               ", found " + jsonio::describe(*it));
      return std::nullopt;
    }
    s.then_growth = it->get<double>();
  }
  if (!pts) return std::nullopt;
  s.points = std::move(*pts);
  return Trajectory{std::move(s)};
}

std::optional<Trajectory> parse_exponential(const json& body, const std::string& bptr,
                                            Report report) {
  check_unknown_keys(body, {"base", "base_year", "rate"}, bptr, "an exponential trajectory",
                     report);
  auto base = number_member(body, "base", bptr, report, true);
  auto year = number_member(body, "base_year", bptr, report, true, true);
  auto rate = number_member(body, "rate", bptr, report, true);
  if (!base || !year || !rate) return std::nullopt;
  if (!schema::year_in_trajectory().in_bounds(*year)) {
    report(join_ptr(bptr, "base_year"), "expected " + schema::year_in_trajectory().expectation() +
                                            ", found " +
                                            jsonio::excerpt_json(body.at("base_year")));
    return std::nullopt;
  }
  if (!schema::growth_rate().in_bounds(*rate)) {
    report(join_ptr(bptr, "rate"), "expected " + schema::growth_rate().expectation() + ", found " +
                                       jsonio::excerpt_json(body.at("rate")));
    return std::nullopt;
  }
  return Trajectory{ExponentialTrajectory{*base, as_int(*year), *rate}};
}

std::optional<Trajectory> parse_logistic(const json& body, const std::string& bptr, Report report) {
  check_unknown_keys(body, {"cap", "midpoint", "steepness", "floor"}, bptr, "a logistic trajectory",
                     report);
  auto cap = number_member(body, "cap", bptr, report, true);
  auto mid = number_member(body, "midpoint", bptr, report, true);
  auto k = number_member(body, "steepness", bptr, report, true);
  auto floor = number_member(body, "floor", bptr, report, false);
  if (!cap || !mid || !k) return std::nullopt;
  return Trajectory{LogisticTrajectory{*cap, *mid, *k, floor.value_or(0.0)}};
}

std::optional<Trajectory> parse_fit(const json& body, const std::string& bptr, Report report) {
  check_unknown_keys(body, {"model", "history", "floor"}, bptr, "a fit trajectory", report);
  FitTrajectory f;
  auto model = body.find("model");
  if (model == body.end()) {
    report(bptr, "missing required key \"model\" (linear, exponential or logistic)");
    return std::nullopt;
  }
  if (*model == "linear") {
    f.model = FitModel::kLinear;
  } else if (*model == "exponential") {
    f.model = FitModel::kExponential;
  } else if (*model == "logistic") {
    f.model = FitModel::kLogistic;
  } else {
    report(join_ptr(bptr, "model"), "expected \"linear\", \"exponential\" or \"logistic\", found " +
                                        jsonio::describe(*model));
    return std::nullopt;
  }
  auto hist = body.find("history");
  if (hist == body.end()) {
    report(bptr, "missing required key \"history\" ({\"YEAR\": value, ...})");
    return std::nullopt;
  }
  auto pts = parse_points(*hist, join_ptr(bptr, "history"), report, nullptr);
  auto floor = number_member(body, "floor", bptr, report, false);
  if (!pts) return std::nullopt;
  f.history = std::move(*pts);
  f.floor = floor.value_or(0.0);
  const std::size_t need = f.model == FitModel::kLogistic ? 3 : 2;
  if (f.history.size() < need) {
    report(join_ptr(bptr, "history"), "expected at least " + std::to_string(need) +
                                          " history points for a " + model->get<std::string>() +
                                          " fit, found " + std::to_string(f.history.size()));
    return std::nullopt;
  }
  return Trajectory{std::move(f)};
}

std::optional<Trajectory> parse_trajectory(const json& v, const Node& node, const std::string& ptr,
                                           Report report) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (!node.in_bounds(d)) {
      report(ptr, "expected " + node.expectation() + ", found " + jsonio::excerpt_json(v));
      return std::nullopt;
    }
    return Trajectory{d};
  }
  if (!v.is_object()) {
    report(ptr, "expected " + node.expectation() + ", found " + jsonio::describe(v));
    return std::nullopt;
  }
  const std::vector<std::string> forms = {"series", "exponential", "logistic", "fit"};
  std::vector<std::string> present;
  for (const auto& f : forms) {
    if (v.contains(f)) present.push_back(f);
  }
  if (present.size() != 1) {
    std::vector<std::string> keys;
    for (const auto& [k, x] : v.items()) keys.push_back(k);
    std::string hint;
    if (present.empty() && !keys.empty()) hint = suggestion(keys.front(), forms);
    report(ptr,
           "expected a trajectory object with exactly one of series, exponential, logistic, "
           "fit; found " +
               (present.empty() ? std::string("none") : std::to_string(present.size())) + hint);
    return std::nullopt;
  }
  const std::string form = present.front();
  if (form == "series") return parse_series(v, node, ptr, report);
  const json& body = v.at(form);
  const std::string bptr = join_ptr(ptr, form);
  check_unknown_keys(v, {form}, ptr, "a " + form + " trajectory", report);
  if (!body.is_object()) {
    report(bptr, "expected an object, found " + jsonio::describe(body));
    return std::nullopt;
  }
  if (form == "exponential") return parse_exponential(body, bptr, report);
  if (form == "logistic") return parse_logistic(body, bptr, report);
  return parse_fit(body, bptr, report);
}

//! Whether a map key is what the map's keys must be (an id, a year, a currency, a selector);
//! reports it when not.
bool valid_key(KeyKind kind, const std::string& k, const std::string& cptr, Context& ctx) {
  switch (kind) {
    case KeyKind::kId:
      if (!valid_id(k)) {
        ctx.error(cptr,
                  "expected an id of letters, digits, '.', '_' or '-' (starting with "
                  "a letter or digit), found " +
                      in_quotes(k));
        return false;
      }
      return true;
    case KeyKind::kYear: {
      const auto y = parse_year(k);
      if (!y || !year_in_range(*y)) {
        ctx.error(cptr, "expected a year (1900 to 2500) as key, found " + in_quotes(k));
        return false;
      }
      return true;
    }
    case KeyKind::kCurrency:
      if (!valid_currency(k)) {
        ctx.error(cptr, "expected a three-letter currency code such as CNY, found " + in_quotes(k));
        return false;
      }
      return true;
    case KeyKind::kSelector:
      if (k.empty()) {
        ctx.error(cptr, "expected a region selector (id, glob, #tag or *), found \"\"");
        return false;
      }
      return true;
    case KeyKind::kNone:
      return true;
  }
  return true;
}

void check(const json& v, const Node& n, const std::string& ptr, Context& ctx);

void check_object(const json& v, const Node& n, const std::string& ptr, Context& ctx) {
  for (const auto& [k, child] : v.items()) {
    const schema::Field* f = n.field(k);
    if (f == nullptr) {
      std::vector<std::string> names;
      for (const auto& field : n.fields) names.push_back(field.name);
      ctx.error(join_ptr(ptr, k),
                "unknown key " + in_quotes(k) +
                    (ptr.empty() ? std::string(" at the top level") : " in " + n.description) +
                    suggestion(k, names));
      continue;
    }
    check(child, *f->node, join_ptr(ptr, k), ctx);
  }
  for (const auto& f : n.fields) {
    if (f.required && !v.contains(f.name)) {
      ctx.error(ptr, "missing required key " + in_quotes(f.name) + " (" + f.node->description +
                         "; expected " + f.node->expectation() + ")");
    }
  }
}

void check_map(const json& v, const Node& n, const std::string& ptr, Context& ctx) {
  // Ids that differ only in case name one thing wherever case is ignored: a results store's
  // column names (SQLite's ignore case), a case-insensitive file system. Refused in every format.
  std::map<std::string, std::string> folded;
  for (const auto& [k, child] : v.items()) {
    const std::string cptr = join_ptr(ptr, k);
    if (!valid_key(n.key_kind, k, cptr, ctx)) continue;
    if (n.key_kind == KeyKind::kId) {
      std::string key = k;
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto [it, fresh] = folded.emplace(key, k);
      if (!fresh) {
        ctx.error(cptr, "the id " + in_quotes(k) + " differs from " + in_quotes(it->second) + " (" +
                            join_ptr(ptr, it->second) +
                            ") only in case; ids must differ in more than case (a results "
                            "store's column names ignore case)");
        continue;
      }
    }
    check(child, *n.items, cptr, ctx);
  }
}

//! A relative target bound: a number or {"times": k, "of_year": y}.
void check_bound(const json& v, const std::string& ptr, Context& ctx) {
  check_unknown_keys(v, {"times", "of_year"}, ptr, "a relative bound", Report{&ctx});
  if (auto t = number_member(v, "times", ptr, Report{&ctx}, true); t && *t < 0) {
    ctx.error(join_ptr(ptr, "times"),
              "expected a factor >= 0, found " + jsonio::excerpt_json(v["times"]));
  }
  (void)number_member(v, "of_year", ptr, Report{&ctx}, true, true);
}

//! [first, last], two years in order.
void check_year_range(const json& v, const std::string& ptr, Context& ctx) {
  for (std::size_t i = 0; i < 2; ++i) {
    if (!schema::year_in_trajectory().in_bounds(v[i].get<double>())) {
      ctx.error(join_ptr(ptr, std::to_string(i)), "expected " +
                                                      schema::year_in_trajectory().expectation() +
                                                      ", found " + jsonio::excerpt_json(v[i]));
      return;
    }
  }
  if (v[1].get<double>() < v[0].get<double>()) {
    ctx.error(ptr, "expected [first, last] with first <= last, found " + jsonio::excerpt_json(v));
  }
}

void check(const json& v, const Node& n, const std::string& ptr, Context& ctx) {
  if (ctx.full()) return;
  auto type_error = [&] {
    ctx.error(ptr, "expected " + n.expectation() + ", found " + jsonio::describe(v));
  };
  switch (n.kind) {
    case Kind::kObject:
      if (!v.is_object()) return type_error();
      return check_object(v, n, ptr, ctx);
    case Kind::kMap:
      if (!v.is_object()) return type_error();
      return check_map(v, n, ptr, ctx);
    case Kind::kArray:
      if (!v.is_array()) return type_error();
      for (std::size_t i = 0; i < v.size(); ++i) {
        check(v[i], *n.items, ptr + "/" + std::to_string(i), ctx);
      }
      return;
    case Kind::kNumber:
    case Kind::kInteger: {
      const bool ok = n.kind == Kind::kNumber ? v.is_number() : is_integral(v);
      if (!ok || !n.in_bounds(v.get<double>())) {
        if (!v.is_number()) return type_error();
        ctx.error(ptr, "expected " + n.expectation() + ", found " + jsonio::excerpt_json(v));
      }
      return;
    }
    case Kind::kString:
      if (!v.is_string()) return type_error();
      if (!n.enum_values.empty()) {
        const auto s = v.get<std::string>();
        if (std::find(n.enum_values.begin(), n.enum_values.end(), s) == n.enum_values.end()) {
          ctx.error(ptr, "expected " + n.expectation() +
                             (n.enum_text.empty() ? "" : " (see dcplan schema)") + ", found " +
                             in_quotes(s) + suggestion(s, n.enum_values));
        }
      }
      return;
    case Kind::kBoolean:
      if (!v.is_boolean()) return type_error();
      return;
    case Kind::kStringList:
      if (!v.is_array()) return type_error();
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
          ctx.error(ptr + "/" + std::to_string(i),
                    "expected a string, found " + jsonio::describe(v[i]));
        }
      }
      return;
    case Kind::kTrajectory:
      if (n.or_rest && v.is_string() && v.get<std::string>() == "rest") return;  // check_split
      // Parsed once, here; the builder evaluates what was parsed.
      if (auto t = parse_trajectory(v, n, ptr, Report{&ctx}))
        ctx.trajectories.emplace(ptr, std::move(*t));
      return;
    case Kind::kBound:
      if (v.is_number()) return;
      if (!v.is_object()) return type_error();
      return check_bound(v, ptr, ctx);
    case Kind::kYearRange:
      if (!v.is_array() || v.size() != 2 || !is_integral(v[0]) || !is_integral(v[1])) {
        return type_error();
      }
      return check_year_range(v, ptr, ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// Building the Scenario (meaning checks and trajectory evaluation).

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const Node& field_node(const Node& obj, const char* key) {
  const schema::Field* f = obj.field(key);
  DCPLAN_ASSERT(f != nullptr);
  return *f->node;
}

class Builder {
 public:
  Builder(const json& doc, Context& ctx) : doc_(doc), ctx_(ctx), root_(schema::scenario()) {}

  std::optional<Scenario> build() {
    Scenario s;
    s.name = text(doc_, "name");
    s.title = text(doc_, "title");
    s.description = text(doc_, "description");
    s.sources = strings(member(doc_, "sources"));
    s.assumptions = strings(member(doc_, "assumptions"));
    if (!horizon(s)) return std::nullopt;
    h_ = s.horizon;
    currency(s);
    hardware(s);
    regions(s);
    if (const json* d = member(doc_, "demand"); d != nullptr && d->is_object()) s.demand.emplace();
    read_params(s, params::Scope::kTop, 0, "", doc_);
    capex(s);
    buyable(s);
    observed(s);
    targets(s);
    if (!ctx_.ok()) return std::nullopt;
    // The rules between values, shared with sweep, which checks them again for every run.
    for (auto& d : check_consistency(s)) ctx_.error(d.pointer, std::move(d.message));
    if (!ctx_.ok()) return std::nullopt;
    // A region with a share of a budget that opens too late: its share piles up as carry-over.
    const bool any_budget = (s.capex.budget > 0).any();
    for (std::size_t i = 0; i < s.regions.size(); ++i) {
      const Region& r = s.regions[i];
      const bool weighted = (s.capex.region_weight.row(static_cast<Eigen::Index>(i)) > 0).any();
      if (any_budget && weighted && r.opens && *r.opens > s.horizon.end) {
        spdlog::warn(
            "{}: region {} opens in {}, after the horizon ends ({}): it receives nothing "
            "and its weight's share of the budget carries over every year",
            text::terminal_safe(ctx_.file_for("/regions/" + r.id), 160), r.id, *r.opens,
            s.horizon.end);
      }
    }
    return s;
  }

 private:
  static std::string text(const json& obj, const char* key) {
    const json* v = member(obj, key);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
  }
  static std::vector<std::string> strings(const json* v) {
    std::vector<std::string> out;
    if (v == nullptr || !v->is_array()) return out;
    for (const auto& e : *v) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
    return out;
  }
  static double number(const json& obj, const Node& obj_node, const char* key) {
    const json* v = member(obj, key);
    if (v != nullptr && v->is_number()) return v->get<double>();
    return field_node(obj_node, key).default_number.value_or(0.0);
  }

  //! Evaluates a trajectory over the horizon and checks its bounds in every year.
  Eigen::ArrayXd series(const json* v, const Node& node, const std::string& ptr) {
    const double fallback = node.default_number.value_or(0.0);
    if (v == nullptr) return Eigen::ArrayXd::Constant(h_.years(), fallback);
    const auto t = ctx_.trajectories.find(ptr);
    if (t == ctx_.trajectories.end()) {
      return Eigen::ArrayXd::Constant(h_.years(), fallback);  // reported by check()
    }
    Eigen::ArrayXd out;
    try {
      out = evaluate(t->second, h_.start, h_.end);
    } catch (const TrajectoryError& e) {
      ctx_.error(ptr, e.what());
      return Eigen::ArrayXd::Constant(h_.years(), fallback);
    }
    for (Eigen::Index i = 0; i < out.size(); ++i) {
      if (!std::isfinite(out(i))) {
        ctx_.error(ptr, "expected a finite value in every year, found " + fmt_number(out(i)) +
                            " in " + std::to_string(h_.start + i));
        return Eigen::ArrayXd::Constant(h_.years(), fallback);
      }
      if (!node.in_bounds(out(i))) {
        ctx_.error(ptr, "expected values " + node.bounds_text() +
                            (node.unit.empty() ? "" : " " + node.unit) + " in every year, found " +
                            fmt_number(out(i)) + " in " + std::to_string(h_.start + i));
        return Eigen::ArrayXd::Constant(h_.years(), fallback);
      }
    }
    return out;
  }

  static std::string fmt_number(double v) {
    std::ostringstream os;
    os.precision(6);
    os << v;
    return os.str();
  }

  //! Reads every numeric parameter of `scope` (params.hpp) from `obj` into its storage: a
  //! trajectory evaluated over the horizon, a number or an integer, the format's default when
  //! the key is absent. An optional key the document does not set stays unset. `base`: the
  //! pointer of `obj` ("" for the top of the document).
  void read_params(Scenario& s, params::Scope scope, std::size_t index, const std::string& base,
                   const json& obj) {
    for (const auto& p : params::table()) {
      if (p.scope != scope) continue;
      const json* v = &obj;
      std::string pointer = base;
      for (const auto& t : p.tokens) {
        v = v != nullptr ? member(*v, t.c_str()) : nullptr;
        pointer = join_ptr(pointer, t);
      }
      const Node& node = *p.node;
      const params::Storage at = p.at(s, index, "", v != nullptr && !v->is_null());
      const double number =
          v != nullptr && v->is_number() ? v->get<double>() : node.default_number.value_or(0.0);
      switch (p.shape) {
        case params::Shape::kTrajectory:
          if (at.trajectory != nullptr) *at.trajectory = series(v, node, pointer);
          break;
        case params::Shape::kNumber:
          *at.number = number;
          break;
        case params::Shape::kInteger:
          *at.integer = as_int(number);
          break;
      }
    }
  }

  bool horizon(Scenario& s) {
    const json* h = member(doc_, "horizon");
    if (h == nullptr || !h->is_object()) return false;
    const json* a = member(*h, "start");
    const json* b = member(*h, "end");
    if (a == nullptr || b == nullptr || !is_integral(*a) || !is_integral(*b)) return false;
    const auto start = a->get<double>();
    const auto end = b->get<double>();
    if (!year_in_range(as_int(start)) || !year_in_range(as_int(end))) {
      return false;  // reported by check()
    }
    s.horizon = {as_int(start), as_int(end)};
    if (s.horizon.end < s.horizon.start) {
      ctx_.error("/horizon/end", "expected an end year >= start (" +
                                     std::to_string(s.horizon.start) + "), found " +
                                     std::to_string(s.horizon.end));
      return false;
    }
    if (s.horizon.years() > kMaxHorizonYears) {
      ctx_.error("/horizon", "expected a horizon of at most " + std::to_string(kMaxHorizonYears) +
                                 " years, found " + std::to_string(s.horizon.years()) + " (" +
                                 std::to_string(s.horizon.start) + " to " +
                                 std::to_string(s.horizon.end) + ")");
      return false;
    }
    return true;
  }

  void currency(Scenario& s) {
    const Node& fx_node = *field_node(root_, "fx_per_usd").items;
    if (const json* fx = member(doc_, "fx_per_usd"); fx != nullptr && fx->is_object()) {
      for (const auto& [code, v] : fx->items()) {
        if (!valid_currency(code)) continue;
        s.fx_per_usd[code] = series(&v, fx_node, join_ptr("/fx_per_usd", code));
      }
    }
    s.fx_per_usd["USD"] = Eigen::ArrayXd::Ones(h_.years());
    if (const json* c = member(doc_, "currency"); c != nullptr && c->is_string()) {
      s.currency = c->get<std::string>();
      if (!valid_currency(s.currency)) {
        ctx_.error("/currency", "expected a three-letter currency code such as USD or CNY, found " +
                                    in_quotes(s.currency));
        s.currency = "USD";
      } else if (s.fx_per_usd.count(s.currency) == 0) {
        ctx_.error("/currency", "currency " + in_quotes(s.currency) +
                                    " has no exchange rate; expected /fx_per_usd/" + s.currency +
                                    " (units of " + s.currency + " per US dollar)");
        s.currency = "USD";
      }
    }
    s.capex.fx_per_usd = s.fx_per_usd.at(s.currency);
  }

  void hardware(Scenario& s) {
    const json* hw = member(doc_, "hardware");
    if (hw == nullptr || !hw->is_object()) return;
    if (hw->size() > kMaxHardware) {
      ctx_.error("/hardware", "expected at most " + std::to_string(kMaxHardware) +
                                  " hardware types (the limit), found " +
                                  std::to_string(hw->size()));
      return;
    }
    for (const auto& [id, v] : hw->items()) {
      if (!valid_id(id) || !v.is_object()) continue;
      const std::string ptr = join_ptr("/hardware", id);
      Hardware h;
      h.id = id;
      h.vendor = text(v, "vendor");
      h.name = text(v, "name");
      h.source = text(v, "source");
      if (const json* ls = member(v, "last_sale"); ls != nullptr && ls->is_number()) {
        h.last_sale = as_int(ls->get<double>());
      }
      s.hardware.push_back(std::move(h));
      read_params(s, params::Scope::kHardware, s.hardware.size() - 1, ptr, v);
      kind_and_retirement(s.hardware.back(), v, ptr);
    }
    // nlohmann::json keeps object keys sorted, so ids are sorted already.
  }

  //! Model v3: kind and retirement (their values were checked against the key table; the
  //! shape was read with the other parameters).
  void kind_and_retirement(Hardware& h, const json& v, const std::string& ptr) {
    if (text(v, "kind") == "server") h.kind = HardwareKind::kServer;
    const json* ret = member(v, "retirement");
    if (ret == nullptr || !ret->is_object()) return;
    const std::string curve = text(*ret, "curve");
    const json* shape = member(*ret, "shape");
    const bool has_shape = shape != nullptr && !shape->is_null();
    const std::string rptr = join_ptr(ptr, "retirement");
    if (curve == "weibull") {
      h.retirement = RetirementCurve::kWeibull;
      if (!has_shape) {
        ctx_.error(rptr,
                   "missing required key \"shape\" (the \"weibull\" curve needs its "
                   "shape k, a number from 1 to 20)");
      }
    } else if (curve == "step" && has_shape) {
      ctx_.error(join_ptr(rptr, "shape"),
                 "a shape with the \"step\" curve (expected no shape; the shape belongs to the "
                 "\"weibull\" curve)");
    }
  }

  std::vector<std::string> hardware_ids(const Scenario& s) const {
    std::vector<std::string> ids;
    for (const auto& h : s.hardware) ids.push_back(h.id);
    return ids;
  }
  std::vector<std::string> region_ids(const Scenario& s) const {
    std::vector<std::string> ids;
    for (const auto& r : s.regions) ids.push_back(r.id);
    return ids;
  }

  void unknown_hardware(const Scenario& s, const std::string& ptr, const std::string& id) {
    ctx_.error(ptr, "unknown hardware id " + in_quotes(id) +
                        (s.hardware.empty() ? std::string(" (the scenario defines no hardware)")
                                            : " (expected an id under /hardware)") +
                        suggestion(id, hardware_ids(s)));
  }

  void regions(Scenario& s) {
    const json* rs = member(doc_, "regions");
    if (rs == nullptr || !rs->is_object()) return;
    if (rs->size() > kMaxRegions) {
      ctx_.error("/regions", "expected at most " + std::to_string(kMaxRegions) +
                                 " regions (the limit), found " + std::to_string(rs->size()));
      return;
    }
    const double work = static_cast<double>(rs->size()) *
                        static_cast<double>(std::max<std::size_t>(s.hardware.size(), 1)) *
                        s.horizon.years();
    if (work > kMaxWork) {
      ctx_.error("/regions",
                 fmt::format("{} regions x {} hardware types x {} years = {:.3g} is above the "
                             "limit of {:.0f} (the work of a run grows with the product); use "
                             "fewer regions, hardware types or years",
                             rs->size(), s.hardware.size(), s.horizon.years(), work, kMaxWork));
      return;
    }
    for (const auto& [id, v] : rs->items()) {
      if (!valid_id(id) || !v.is_object()) continue;
      const std::string ptr = join_ptr("/regions", id);
      if (id == "total") {
        ctx_.error(ptr, "the region id \"total\" is reserved for the total rows; choose another");
        continue;
      }
      Region r;
      r.id = id;
      r.name = text(v, "name");
      r.country = text(v, "country");
      r.source = text(v, "source");
      r.tags = strings(member(v, "tags"));
      if (const json* o = member(v, "opens"); o != nullptr && o->is_number()) {
        r.opens = as_int(o->get<double>());
      }
      allowed_hardware(s, v, r, ptr);
      initial_fleet(s, v, r, ptr);
      initial_built(s, v, r, ptr);
      keep(s, v, r, ptr);
      s.regions.push_back(std::move(r));
      read_params(s, params::Scope::kRegion, s.regions.size() - 1, ptr, v);
    }
  }

  //! What the region may install: all hardware, or its allowed_hardware.
  void allowed_hardware(const Scenario& s, const json& v, Region& r, const std::string& ptr) {
    r.allowed.assign(s.hardware.size(), true);
    if (const json* allowed = member(v, "allowed_hardware"); allowed != nullptr) {
      r.allowed.assign(s.hardware.size(), false);
      const auto ids = strings(allowed);
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const int hi = s.hardware_index(ids[i]);
        if (hi < 0) {
          unknown_hardware(s, join_ptr(ptr, "allowed_hardware") + "/" + std::to_string(i), ids[i]);
        } else {
          r.allowed[static_cast<std::size_t>(hi)] = true;
        }
      }
    }
  }

  //! The initial fleet, as cohorts by hardware and vintage (its power is checked with the
  //! other rules between values, check_consistency).
  void initial_fleet(const Scenario& s, const json& v, Region& r, const std::string& ptr) {
    if (const json* init = member(v, "initial"); init != nullptr && init->is_object()) {
      const std::string iptr = join_ptr(ptr, "initial");
      if (const json* fleet = member(*init, "fleet"); fleet != nullptr && fleet->is_object()) {
        for (const auto& [hw_id, vintages] : fleet->items()) {
          const std::string fptr = join_ptr(join_ptr(iptr, "fleet"), hw_id);
          const int hi = s.hardware_index(hw_id);
          if (hi < 0) {
            unknown_hardware(s, fptr, hw_id);
            continue;
          }
          if (!r.allowed[static_cast<std::size_t>(hi)]) {
            ctx_.error(fptr,
                       "hardware " + in_quotes(hw_id) + " is not in the region's allowed_hardware");
          }
          if (!vintages.is_object()) continue;
          for (const auto& [year_key, count] : vintages.items()) {
            const auto vintage = parse_year(year_key);
            if (!vintage || !count.is_number()) continue;  // reported by check()
            if (*vintage > s.horizon.start) {
              ctx_.error(join_ptr(fptr, year_key),
                         "expected an initial vintage <= the horizon start (" +
                             std::to_string(s.horizon.start) + "), found " + year_key);
              continue;
            }
            r.initial_fleet.push_back({hi, *vintage, count.get<double>()});
          }
        }
      }
    }
  }

  //! Model v3: the year the initial capacity was built, at most the horizon start.
  void initial_built(const Scenario& s, const json& v, Region& r, const std::string& ptr) {
    const json* init = member(v, "initial");
    const json* built = init != nullptr ? member(*init, "built") : nullptr;
    if (built == nullptr || !is_integral(*built)) return;  // its type is checked by check()
    r.initial_built = as_int(built->get<double>());
    if (*r.initial_built > s.horizon.start) {
      ctx_.error(join_ptr(join_ptr(ptr, "initial"), "built"),
                 "expected a year <= the horizon start (" + std::to_string(s.horizon.start) +
                     "), found " + std::to_string(*r.initial_built));
    }
  }

  //! Model v3: the installed bases the region keeps (step 5b), by hardware index.
  void keep(const Scenario& s, const json& v, Region& r, const std::string& ptr) {
    const json* keep = member(v, "keep");
    if (keep == nullptr || !keep->is_object()) return;
    const Node& region_node = *field_node(root_, "regions").items;
    const Node& count_node = *field_node(region_node, "keep").items;
    const std::string kptr = join_ptr(ptr, "keep");
    for (const auto& [hw_id, count] : keep->items()) {
      if (count.is_null()) continue;
      const std::string hptr = join_ptr(kptr, hw_id);
      const int hi = s.hardware_index(hw_id);
      if (hi < 0) {
        unknown_hardware(s, hptr, hw_id);
        continue;
      }
      if (!r.allowed[static_cast<std::size_t>(hi)]) {
        ctx_.error(hptr, "hardware " + in_quotes(hw_id) +
                             " is not in the region's allowed_hardware (a region keeps only "
                             "what it may install)");
        continue;
      }
      r.keep.push_back({hi, series(&count, count_node, hptr)});
    }
    std::sort(r.keep.begin(), r.keep.end(),
              [](const Keep& a, const Keep& b) { return a.hardware < b.hardware; });
  }

  //! Resolves selector maps per region; an exact selector must name a region.
  std::vector<std::string> selectors(const Scenario& s, const json& map, const std::string& ptr) {
    std::vector<std::string> out;
    for (const auto& [k, v] : map.items()) {
      if (k.empty()) continue;
      if (selector_kind(k) == SelectorKind::kExact && s.region_index(k) < 0) {
        ctx_.error(join_ptr(ptr, k), "unknown region " + in_quotes(k) +
                                         " (expected a region id, a glob such as cn-*, a #tag "
                                         "or *)" +
                                         suggestion(k, region_ids(s)));
      }
      if (selector_kind(k) == SelectorKind::kTotal) {
        ctx_.error(join_ptr(ptr, k),
                   "\"total\" is not a selector here (expected a region id, a "
                   "glob such as cn-*, a #tag or *)");
      }
      out.push_back(k);
    }
    return out;
  }

  int resolve(const std::vector<std::string>& sel, const Region& r, const std::string& ptr) {
    try {
      return resolve_selector(sel, r);
    } catch (const InputError& e) {
      ctx_.error(ptr, e.diagnostics().front().message);
      return -1;
    }
  }

  void capex(Scenario& s) {
    v3_policies(s);
    check_split(s);
    policies(s);
    region_weights(s);
    hardware_mix(s);
  }

  //! it_placement and it_overflow (their values were checked against the key table).
  void policies(Scenario& s) {
    const json& capex = capex_section();
    const std::string placement = text(capex, "it_placement");
    const std::string overflow = text(capex, "it_overflow");
    if (text(capex, "keep_funding") == "budget") s.capex.keep_funding = KeepFunding::kBudget;
    s.capex.placement = placement == "weights" ? Placement::kWeights : Placement::kPower;
    s.capex.overflow = overflow == "carry"    ? Overflow::kCarry
                       : overflow == "strand" ? Overflow::kStrand
                                              : Overflow::kFacility;
  }

  //! Model v3's choices: facility_sizing, carryover, finance.initial_assets (their values were
  //! checked against the key table).
  void v3_policies(Scenario& s) {
    const json& capex = capex_section();
    s.capex.facility_sizing =
        text(capex, "facility_sizing") == "need" ? FacilitySizing::kNeed : FacilitySizing::kShare;
    s.capex.carryover =
        text(capex, "carryover") == "category" ? Carryover::kCategory : Carryover::kSplit;
    const json* finance = member(doc_, "finance");
    s.finance.initial_assets = finance != nullptr && text(*finance, "initial_assets") == "book"
                                   ? InitialAssets::kBook
                                   : InitialAssets::kSunk;
    if (finance != nullptr) {
      const json* idc = member(*finance, "interest_during_construction");
      s.finance.interest_during_construction =
          idc != nullptr && idc->is_boolean() && idc->get<bool>();
      s.finance.capital_charge = text(*finance, "capital_charge") == "annuity"
                                     ? CapitalCharge::kAnnuity
                                     : CapitalCharge::kDepreciation;
      s.finance.capital_keys = idc != nullptr || member(*finance, "capital_charge") != nullptr;
    }
  }

  //! Under facility_sizing "need", the split holds only "other" (a number): the region's rule
  //! divides the rest between IT and facilities. Returns false when the split is not one.
  bool check_need_split(const json& split) {
    bool ok = true;
    for (const char* part : {"it", "facility"}) {
      if (member(split, part) == nullptr) continue;
      ctx_.error(join_ptr("/capex/split", part),
                 std::string("expected no \"") + part +
                     "\" share under capex.facility_sizing \"need\" (the region's need divides "
                     "IT and facility money; split holds only \"other\"), found " +
                     jsonio::excerpt_json(split.at(part)));
      ok = false;
    }
    if (const json* other = member(split, "other"); other != nullptr && other->is_string()) {
      ctx_.error("/capex/split/other",
                 "expected a share (a number or a trajectory) under capex.facility_sizing "
                 "\"need\", found \"rest\" (there is no other share for it to complete)");
      ok = false;
    }
    return ok;
  }

  //! What each region may buy: allowed there and with a share in some year.
  static void buyable(Scenario& s) {
    s.capex.buyable.assign(s.regions.size(), {});
    for (std::size_t r = 0; r < s.regions.size() && r < s.capex.mix.size(); ++r) {
      for (std::size_t h = 0; h < s.hardware.size(); ++h) {
        if (s.regions[r].allowed[h] && (s.capex.mix[r].row(static_cast<Eigen::Index>(h)) > 0).any())
          s.capex.buyable[r].push_back(static_cast<int>(h));
      }
    }
  }

  //! The capex object of the document (empty when absent).
  [[nodiscard]] const json& capex_section() const {
    static const json empty = json::object();
    const json* c = member(doc_, "capex");
    return (c != nullptr && c->is_object()) ? *c : empty;
  }

  //! The shares were read with the other parameters (0 where absent): they must sum to 1, or
  //! one of them is "rest" and the other two leave it within [0, 1].
  void check_split(Scenario& s) {
    const int years = h_.years();
    const json& capex = capex_section();
    const bool any_budget = (s.capex.budget > 0).any();
    if (s.capex.facility_sizing == FacilitySizing::kNeed) {
      // Model v3: only "other" (0 when absent); IT and facility money are divided by need.
      s.capex.split_rest = -1;
      if (const json* split = member(capex, "split"); split != nullptr && split->is_object())
        (void)check_need_split(*split);
      return;
    }
    if (const json* split = member(capex, "split"); split != nullptr && split->is_object()) {
      static constexpr std::array<const char*, 3> kParts = {"it", "facility", "other"};
      for (const char* part : {"it", "facility"}) {
        if (member(*split, part) == nullptr) {
          ctx_.error("/capex/split", std::string("missing required key \"") + part +
                                         "\" (expected it, facility and other summing to 1; "
                                         "only capex.facility_sizing \"need\" leaves them out)");
        }
      }
      s.capex.split_rest = -1;
      for (int i = 0; i < 3; ++i) {
        const json* v = member(*split, kParts[static_cast<std::size_t>(i)]);
        if (v == nullptr || !v->is_string() || *v != "rest") continue;
        if (s.capex.split_rest >= 0) {
          ctx_.error(join_ptr("/capex/split", kParts[static_cast<std::size_t>(i)]),
                     std::string("expected at most one share written \"rest\", found two (") +
                         kParts[static_cast<std::size_t>(s.capex.split_rest)] + " and " +
                         kParts[static_cast<std::size_t>(i)] + ")");
          return;
        }
        s.capex.split_rest = i;
      }
      if (s.capex.split_rest >= 0) {
        if (auto d = fill_split_rest(s)) ctx_.error(d->pointer, std::move(d->message));
        return;
      }
      const Eigen::ArrayXd sum = s.capex.split_it + s.capex.split_facility + s.capex.split_other;
      for (int i = 0; i < years; ++i) {
        if (std::abs(sum(i) - 1.0) > 1e-9) {
          ctx_.error("/capex/split", "expected it + facility + other = 1 in every year, found " +
                                         fmt_number(sum(i)) + " in " +
                                         std::to_string(h_.start + i));
          break;
        }
      }
    } else if (any_budget) {
      ctx_.error("/capex",
                 "missing required key \"split\" (the budget is set; expected "
                 "{\"it\": a, \"facility\": b, \"other\": c} summing to 1)");
    }
  }

  //! Region weights by selector, resolved per region; absent means {"*": 1}.
  void region_weights(Scenario& s) {
    const int years = h_.years();
    const auto nr = static_cast<Eigen::Index>(s.regions.size());
    const Node& node = field_node(root_, "capex");
    const json& capex = capex_section();
    s.capex.region_weight = Eigen::ArrayXXd::Zero(nr, years);
    const Node& weight_node = *field_node(node, "region_weights").items;
    if (const json* w = member(capex, "region_weights"); w != nullptr && w->is_object()) {
      const auto sel = selectors(s, *w, "/capex/region_weights");
      std::vector<Eigen::ArrayXd> values;
      for (const auto& k : sel) {
        values.push_back(series(&w->at(k), weight_node, join_ptr("/capex/region_weights", k)));
      }
      for (Eigen::Index r = 0; r < nr; ++r) {
        const int i = resolve(sel, s.regions[static_cast<std::size_t>(r)], "/capex/region_weights");
        if (i >= 0) s.capex.region_weight.row(r) = values[static_cast<std::size_t>(i)].transpose();
      }
    } else {
      s.capex.region_weight.setOnes();
    }
  }

  //! The hardware mix per region: shares by selector, each summing to 1.
  void hardware_mix(Scenario& s) {
    const int years = h_.years();
    const auto nh = static_cast<Eigen::Index>(s.hardware.size());
    const Node& node = field_node(root_, "capex");
    const json& capex = capex_section();
    const bool any_budget = (s.capex.budget > 0).any();
    s.capex.mix.assign(s.regions.size(), Eigen::ArrayXXd::Zero(nh, years));
    const Node& mix_node = *field_node(node, "hardware_mix").items->items;
    const json* mix = member(capex, "hardware_mix");
    const bool any_it = any_budget && (s.capex.split_it > 0).any();
    if (mix != nullptr && mix->is_object()) {
      const auto sel = selectors(s, *mix, "/capex/hardware_mix");
      std::vector<Eigen::ArrayXXd> tables;
      for (const auto& k : sel) {
        const std::string mptr = join_ptr("/capex/hardware_mix", k);
        Eigen::ArrayXXd t = Eigen::ArrayXXd::Zero(nh, years);
        const json& shares = mix->at(k);
        if (shares.is_object()) {
          for (const auto& [hw_id, share] : shares.items()) {
            const int hi = s.hardware_index(hw_id);
            if (hi < 0) {
              unknown_hardware(s, join_ptr(mptr, hw_id), hw_id);
              continue;
            }
            t.row(hi) = series(&share, mix_node, join_ptr(mptr, hw_id)).transpose();
          }
          const Eigen::ArrayXd sum = t.colwise().sum().transpose();
          for (int y = 0; y < years && nh > 0; ++y) {
            if (std::abs(sum(y) - 1.0) > 1e-9) {
              ctx_.error(mptr, "expected hardware shares summing to 1 in every year, found " +
                                   fmt_number(sum(y)) + " in " + std::to_string(h_.start + y));
              break;
            }
          }
        }
        tables.push_back(std::move(t));
      }
      for (std::size_t r = 0; r < s.regions.size(); ++r) {
        const int i = resolve(sel, s.regions[r], "/capex/hardware_mix");
        if (i >= 0) {
          s.capex.mix[r] = tables[static_cast<std::size_t>(i)];
        } else if (any_it && (s.capex.region_weight.row(static_cast<Eigen::Index>(r)) > 0).any()) {
          ctx_.error("/capex/hardware_mix",
                     "region " + in_quotes(s.regions[r].id) +
                         " receives IT budget but no hardware_mix selector matches it (add its "
                         "id, a glob, a #tag or \"*\")");
        }
      }
    } else if (any_it) {
      ctx_.error("/capex",
                 "missing required key \"hardware_mix\" (the IT budget is set; expected "
                 "{\"*\": {\"HARDWARE\": 1}})");
    }
  }

  //! Model v3: observed history, {METRIC: {YEAR: value}} for total rows; METRIC a result column
  //! with numbers.
  void observed(Scenario& s) {
    const json* obs = member(doc_, "observed");
    if (obs == nullptr || !obs->is_object()) return;
    std::vector<std::string> known;
    for (const auto& c : result_columns()) {
      if (c.kind != ColumnKind::kKey && c.kind != ColumnKind::kText) known.emplace_back(c.name);
    }
    for (const auto& [metric, years] : obs->items()) {
      const std::string mptr = join_ptr("/observed", metric);
      const ColumnInfo* col = find_column(metric);
      if (col == nullptr || col->kind == ColumnKind::kKey || col->kind == ColumnKind::kText) {
        ctx_.error(mptr, "expected a result column with numbers (e.g. energy_twh), found " +
                             in_quotes(metric) + suggestion(metric, known));
        continue;
      }
      if (col->demand_only && !s.demand) {
        ctx_.error(mptr,
                   "the metric " + in_quotes(metric) + " exists only when the scenario has demand");
        continue;
      }
      if (!years.is_object()) continue;  // reported by check()
      for (const auto& [year_key, value] : years.items()) {
        const auto year = parse_year(year_key);
        if (!year || !value.is_number()) continue;  // reported by check()
        s.observed[metric][*year] = value.get<double>();
      }
    }
  }

  void targets(Scenario& s) {
    const json* ts = member(doc_, "targets");
    if (ts == nullptr || !ts->is_array()) return;
    const Node& node = *field_node(root_, "targets").items;
    for (std::size_t i = 0; i < ts->size(); ++i) {
      const json& t = (*ts)[i];
      const std::string ptr = "/targets/" + std::to_string(i);
      if (!t.is_object()) continue;
      Target target;
      target.name = text(t, "name");
      target.metric = text(t, "metric");
      target.region = member(t, "region") != nullptr ? text(t, "region") : "total";
      target.tolerance = number(t, node, "tolerance");
      if (const json* c = member(t, "currency"); c != nullptr && c->is_string()) {
        target.currency = c->get<std::string>();
        if (s.fx_per_usd.count(target.currency) == 0) {
          ctx_.error(join_ptr(ptr, "currency"),
                     "currency " + in_quotes(target.currency) +
                         " has no exchange rate (expected a code under /fx_per_usd, or USD)");
        }
      }
      const ColumnInfo* col = find_column(target.metric);
      if (col != nullptr && col->demand_only && !s.demand) {
        ctx_.error(join_ptr(ptr, "metric"), "the metric " + in_quotes(target.metric) +
                                                " exists only when the scenario has demand");
      }
      target_region(s, target, ptr);
      target_years(t, target, ptr);
      target_bound(s, t, target, ptr);
      s.targets.push_back(std::move(target));
    }
  }

  [[nodiscard]] bool in_horizon(int y) const { return y >= h_.start && y <= h_.end; }

  static bool col_is_money(const std::string& metric) {
    const ColumnInfo* col = find_column(metric);
    return col != nullptr && col->money;
  }

  //! A target's region: total, a region id, or a selector that matches a region.
  void target_region(const Scenario& s, const Target& target, const std::string& ptr) {
    if (selector_kind(target.region) == SelectorKind::kExact && s.region_index(target.region) < 0) {
      ctx_.error(join_ptr(ptr, "region"), "unknown region " + in_quotes(target.region) +
                                              " (expected total, a region id, a glob, a #tag "
                                              "or *)" +
                                              suggestion(target.region, region_ids(s)));
    } else if (target.region != "total" &&
               std::none_of(s.regions.begin(), s.regions.end(),
                            [&](const Region& r) { return selector_matches(target.region, r); })) {
      // A glob or tag that matches nothing would read no value: refused, not a silent NaN.
      ctx_.error(join_ptr(ptr, "region"),
                 "the selector " + in_quotes(target.region) + " matches no region");
    }
  }

  //! A target's year or years, within the horizon.
  void target_years(const json& t, Target& target, const std::string& ptr) {
    const json* year = member(t, "year");
    const json* years = member(t, "years");
    bool have_years = false;
    if ((year == nullptr) == (years == nullptr)) {
      ctx_.error(ptr, std::string("expected exactly one of \"year\" and \"years\", found ") +
                          (year == nullptr ? "neither" : "both"));
    } else if (year != nullptr && is_integral(*year)) {
      target.first_year = target.last_year = as_int(year->get<double>());
      have_years = true;
    } else if (years != nullptr && years->is_array() && years->size() == 2 &&
               is_integral((*years)[0]) && is_integral((*years)[1])) {
      target.first_year = as_int((*years)[0].get<double>());
      target.last_year = as_int((*years)[1].get<double>());
      have_years = true;
    }
    if (have_years && (!in_horizon(target.first_year) || !in_horizon(target.last_year))) {
      ctx_.error(join_ptr(ptr, year != nullptr ? "year" : "years"),
                 "expected years within the horizon " + std::to_string(h_.start) + " to " +
                     std::to_string(h_.end) + ", found " +
                     jsonio::excerpt_json(year != nullptr ? *year : *years));
    }
  }

  //! A target's bound: exactly one of at_least, at_most, equals; a number or k × another year.
  void target_bound(const Scenario& s, const json& t, Target& target, const std::string& ptr) {
    int bounds = 0;
    const std::pair<const char*, BoundKind> kinds[] = {{"at_least", BoundKind::kAtLeast},
                                                       {"at_most", BoundKind::kAtMost},
                                                       {"equals", BoundKind::kEquals}};
    for (const auto& [key, kind] : kinds) {
      const json* b = member(t, key);
      if (b == nullptr) continue;
      ++bounds;
      target.kind = kind;
      if (b->is_number()) {
        target.value = b->get<double>();
      } else if (b->is_object()) {
        const json* k = member(*b, "times");
        const json* of = member(*b, "of_year");
        if (k != nullptr && k->is_number()) target.value = k->get<double>();
        if (of != nullptr && is_integral(*of)) {
          target.of_year = as_int(of->get<double>());
          // Model v3: a base year outside the horizon is read from observed history.
          if (const auto missing = unobserved_base_year(s, target)) {
            ctx_.error(join_ptr(join_ptr(ptr, key), "of_year"),
                       "expected a year within the horizon " + std::to_string(h_.start) + " to " +
                           std::to_string(h_.end) + " or one with an observed value (/observed/" +
                           target.metric + "/" + std::to_string(*missing) +
                           ", total rows only), found " + std::to_string(*target.of_year));
          } else if (target.currency != "USD" && col_is_money(target.metric) &&
                     !in_horizon(*target.of_year)) {
            ctx_.error(join_ptr(ptr, "currency"),
                       "an observed base year outside the horizon has no exchange rate: give "
                       "the target in USD (observed money is in USD)");
          }
        }
      }
    }
    if (bounds != 1) {
      ctx_.error(ptr, "expected exactly one bound (at_least, at_most or equals), found " +
                          std::to_string(bounds));
    }
  }

  const json& doc_;
  Context& ctx_;
  const Node& root_;
  Horizon h_;
};

//! The scenario's text: the one the caller holds, or the file's.
std::string scenario_text(const std::string& path, const LoadOptions& options) {
  return options.text ? *options.text : jsonio::read_text(path);
}

//! The last two passes: validate the merged document against the key table, then build.
Scenario validate_and_build(const json& doc, const std::string& file, Context& ctx) {
  check(doc, schema::scenario(), "", ctx);
  Builder builder(doc, ctx);
  auto s = builder.build();
  if (!ctx.ok() || !s) {
    if (ctx.ok()) ctx.error("", "the scenario could not be built");
    throw InputError(std::move(ctx.diagnostics()));
  }
  s->file = file;
  spdlog::debug("loaded {}: {} hardware, {} regions, {}-{}", text::terminal_safe(file, 160),
                s->hardware.size(), s->regions.size(), s->horizon.start, s->horizon.end);
  return std::move(*s);
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const LoadOptions& options) {
  Context ctx(file);
  const json doc = merged(text, file, options, ctx);
  Scenario s = validate_and_build(doc, file, ctx);
  s.sha256 = sha256_hex(doc.dump(2) + "\n");  // merged_document's text
  return s;
}

namespace detail {

LoadedScenario load_with_document(const std::string& path, const LoadOptions& options) {
  Context ctx(path);
  LoadedScenario out;
  out.document = merged(scenario_text(path, options), path, options, ctx);
  out.scenario = validate_and_build(out.document, path, ctx);
  out.scenario.sha256 = sha256_hex(out.document.dump(2) + "\n");
  return out;
}

Scenario build_document(const json& document, const std::string& file) {
  Context ctx(file);
  return validate_and_build(document, file, ctx);
}

}  // namespace detail

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return load_scenario_text(scenario_text(path, options), path, options);
}

Scenario load_scenario(const std::string& path, const LoadOptions& options, std::string& text) {
  Context ctx(path);
  const json doc = merged(scenario_text(path, options), path, options, ctx);
  Scenario s = validate_and_build(doc, path, ctx);
  text = doc.dump(2) + "\n";
  s.sha256 = sha256_hex(text);
  return s;
}

std::vector<Diagnostic> validate_scenario(const std::string& path, const LoadOptions& options) {
  try {
    (void)load_scenario(path, options);
    return {};
  } catch (const InputError& e) {
    return e.diagnostics();
  }
}

std::string merged_document(const std::string& path, const LoadOptions& options) {
  Context ctx(path);
  return merged(scenario_text(path, options), path, options, ctx).dump(2) + "\n";
}

std::optional<Diagnostic> fill_split_rest(Scenario& s) {
  Capex& c = s.capex;
  if (c.split_rest < 0) return std::nullopt;
  static constexpr std::array<const char*, 3> kParts = {"it", "facility", "other"};
  std::array<Eigen::ArrayXd*, 3> parts = {&c.split_it, &c.split_facility, &c.split_other};
  Eigen::ArrayXd& rest = *parts[static_cast<std::size_t>(c.split_rest)];
  const Eigen::ArrayXd& a = *parts[static_cast<std::size_t>((c.split_rest + 1) % 3)];
  const Eigen::ArrayXd& b = *parts[static_cast<std::size_t>((c.split_rest + 2) % 3)];
  rest = 1.0 - a - b;
  for (Eigen::Index y = 0; y < rest.size(); ++y) {
    if (std::abs(rest(y)) <= 1e-12) rest(y) = 0;  // rounding of shares that sum to 1
    if (rest(y) < 0 || rest(y) > 1) {
      const auto name = [&](int k) { return kParts[static_cast<std::size_t>(k % 3)]; };
      return Diagnostic{
          s.file, std::string("/capex/split/") + name(c.split_rest),
          fmt::format("\"rest\" is 1 - {} - {} = {:.6g} in {}; expected a share in [0, 1] (the "
                      "other two shares sum to more than 1)",
                      name(c.split_rest + 1), name(c.split_rest + 2), rest(y), s.horizon.start + y),
          0, 0};
    }
  }
  return std::nullopt;
}

std::vector<Diagnostic> check_consistency(const Scenario& s) {
  // Run for every run of a sweep: no string is built unless a rule is broken.
  std::vector<Diagnostic> out;
  auto error = [&](std::string pointer, std::string message) {
    out.push_back({s.file, std::move(pointer), std::move(message), 0, 0});
  };
  for (const auto& h : s.hardware) {
    if (h.kind == HardwareKind::kAccelerator && !(h.bf16_tflops > 0)) {
      error("/hardware/" + jsonio::escape_token(h.id) + "/bf16_tflops",
            fmt::format("expected a value > 0 TFLOP/s for an accelerator, found {} (only a "
                        "hardware of kind \"server\" may have 0)",
                        h.bf16_tflops));
    }
    if (h.last_sale && *h.last_sale < h.available) {
      error("/hardware/" + jsonio::escape_token(h.id) + "/last_sale",
            fmt::format("expected a last sale year >= available ({}), found {}", h.available,
                        *h.last_sale));
    }
  }
  for (const auto& r : s.regions) {
    auto initial = [&] { return "/regions/" + jsonio::escape_token(r.id) + "/initial"; };
    if (r.max_lease_mw && !r.lease_usd_per_mw_year) {
      error("/regions/" + jsonio::escape_token(r.id) + "/max_lease_mw",
            "a lease limit without a lease price: set lease_usd_per_mw_year too (without it "
            "the region cannot lease)");
    }
    double fleet_mw = 0;
    for (const auto& c : r.initial_fleet) {
      const auto& h = s.hardware[static_cast<std::size_t>(c.hardware)];
      fleet_mw += c.count * h.all_in_w / 1e6;
      if (c.vintage < h.available) {
        error(initial() + "/fleet/" + jsonio::escape_token(h.id) + "/" + std::to_string(c.vintage),
              fmt::format("a vintage of {} before the hardware is available ({}): {} was not on "
                          "sale then",
                          c.vintage, h.available, h.id));
      }
    }
    if (fleet_mw > r.initial_it_capacity_mw * (1 + 1e-9) + 1e-9) {
      error(initial(), fmt::format("the initial fleet needs {:.6g} MW of IT power (count x "
                                   "all_in_w), more than the initial it_capacity_mw of {:.6g} MW",
                                   fleet_mw, r.initial_it_capacity_mw));
    }
  }
  return out;
}

}  // namespace dcplan
