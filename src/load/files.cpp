// Part of the loader's first pass, resolution (the passes in order: src/load/detail.hpp):
// confined file access. document.cpp calls resolve_file for every file an include or extends
// names: it finds the file beneath a root, opens it once, reads it and hands its text back to
// resolve_text, which resolves that file's own include and extends in turn.
//
// A scenario may come from an untrusted pull request, and its include and extends are paths it
// chooses. They may only read files under the directory of the scenario given on the command
// line or under --allow-dir (the roots); nothing of a file that fails confinement is read or
// quoted in a message.
//
// What an attacker's include could try: an absolute path (/etc/passwd); ".." steps out of the
// directory; a symbolic link inside the directory to a file or directory outside it; a /proc
// magic link (/proc/self/root, /proc/self/fd/N); swapping a checked path for a symbolic link
// between the check and the open; files that include one another (a cycle), a chain nested
// deeper and deeper, or the same large file included again and again (an include bomb); a FIFO
// or a device that blocks or never ends.
//
// Why openat2 with RESOLVE_BENEATH: each root is opened once and held as a descriptor (Root,
// open_root), and every file is opened relative to it with RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS. The kernel refuses any step of the path that would leave the root ("..",
// an absolute or escaping symbolic link, a magic link) atomically with the open, so no path can
// change between a check and the open: what was checked is what is opened, and the descriptor
// opened is the one read. Without openat2 (a kernel before 5.6, a sandbox that forbids it) the
// file is opened plainly and where its descriptor leads, according to the kernel, is checked
// before a byte of it is read.
//
// Why identities by device:inode: a cycle must be recognised however its files are named
// (a/../b.json, a symbolic link, a hard link), and the identity is taken from the open
// descriptor (fstat), so it is that of the file that is read, not of a path that may have
// changed since.
//
// Bounds: the chain's depth (kMaxChain), and the files (kMaxFilesRead) and bytes (kMaxBytesRead)
// read through include and extends in all; jsonio::read_fd reads only a regular file, of at most
// 64 MiB (O_NONBLOCK keeps the open of a FIFO from blocking).
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dcplan/error.hpp"
#include "json_io.hpp"
#include "load/detail.hpp"

namespace dcplan::loader {

namespace {

constexpr std::size_t kMaxChain = 64;  //!< files in one extends/include chain

}  // namespace

Root::Root(Root&& o) noexcept
    : lexical(std::move(o.lexical)), canonical(std::move(o.canonical)), fd(o.fd) {
  o.fd = -1;
}

Root::~Root() {
  if (fd >= 0) ::close(fd);
}

namespace {

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

}  // namespace

std::string identity(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

namespace {

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

}  // namespace

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

}  // namespace dcplan::loader
