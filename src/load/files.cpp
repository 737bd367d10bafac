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
//
// What stops each attack, in order:
//   - an absolute path: refused by resolve_file before any root is tried;
//   - "..", an escaping or absolute symbolic link, a magic link: refused by the kernel during
//     openat2's own walk (EXDEV, ELOOP), so the refusal cannot be raced; in the fallback, the
//     file opened is located by its descriptor and refused when it is outside the root;
//   - a swap between check and open: there is no separate check, the open is the check, and
//     only the descriptor it returned is ever read;
//   - a cycle: the identity of each file on the chain is compared with that of the open file;
//   - an include bomb or a deep chain: the counts and bytes above stop it, whatever the names;
//   - a FIFO, a device, a directory: opened without blocking (O_NONBLOCK) and without becoming
//     the controlling terminal (O_NOCTTY), then refused by read_fd, which reads only regular
//     files;
//   - a message that leaks a file's content: messages quote only the name as the scenario wrote
//     it (an excerpt, escaped when printed) and the path, never bytes of a file that failed.
// The first file, the scenario named on the command line, is read by the caller (entry.cpp),
// not through a root: the user chose it. Its directory becomes the first root.
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

// Files on one chain of extends/include (the chain is what a cycle is searched in): deep
// enough for any real layering, small enough to bound the recursion of resolve_text.
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

//! "a.json -> b.json -> a.json": the files of a cycle from where it starts, each path shortened
//! so that a cycle of long names cannot make a message of unbounded length.
std::string chain_text(const std::vector<ChainEntry>& chain, std::size_t from,
                       const std::string& last) {
  std::string out;
  // Paths come from the files: each bounded (the whole message is escaped when printed).
  for (std::size_t i = from; i < chain.size(); ++i) out += short_path(chain[i].display) + " -> ";
  return out + short_path(last);
}

}  // namespace

//! (Declared in detail.hpp.) A file's identity, "device:inode": the same for every name of one
//! file (a/../b.json, a symbolic or hard link), different for two files with equal names on
//! two file systems. Taken from fstat of the open descriptor, it names the file being read.
std::string identity(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

namespace {

//! Whether `path` is `root` or beneath it, compared element by element: /a/bc is not beneath
//! /a/b, which a comparison of strings would get wrong. Both must be absolute and lexically
//! normal; this is a lexical test used to choose a root, not the confinement itself (openat2
//! is), except in open_beneath's fallback, where it is applied to the kernel's own path of
//! the open file.
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
//! Empty when /proc is not mounted: callers then refuse (the fallback confines nothing it
//! cannot locate).
fs::path fd_path(int fd) {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  return ec ? fs::path() : p;
}

//! Opens `rel` beneath the root's descriptor: the kernel refuses any step (a "..", an absolute
//! or escaping symbolic link, a /proc magic link) that would leave the root, atomically with the
//! open. Returns the descriptor, or -1 with errno set (EXDEV: it leads outside).
int open_beneath(const Root& root, const fs::path& rel) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer; O_NOCTTY: a terminal device
  // must not become the process's controlling terminal; O_CLOEXEC: no descriptor leaks into a
  // child process. RESOLVE_NO_MAGICLINKS: /proc/self/fd/N and /proc/self/root point anywhere.
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root.fd, rel.c_str(), &how, sizeof how);
  // Only "openat2 is missing" (ENOSYS) or "forbidden by a seccomp filter" (EPERM) falls back.
  // Every other error is the answer: falling back on EXDEV or ELOOP would open, without the
  // kernel's confinement, exactly the path the kernel has just refused.
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

// The bounds of one load: a file included many times by files that are not a cycle (an
// include bomb, 2^n reads in n levels) reads no more than these, whatever the file names.
constexpr std::size_t kMaxFilesRead = 256;                   //!< through include/extends, in all
constexpr std::size_t kMaxBytesRead = 128u * 1024u * 1024u;  //!< 128 MiB, in all

}  // namespace

//! Reads the file that include/extends `name` (written in a file of `dir`) names, confined to
//! the roots: absolute paths are refused; the file is opened once, beneath a root, and what was
//! opened is what is read. Nothing of a file that failed confinement is ever read or quoted.
//! Throws InputError naming the file and pointer that refer to the file; every refusal states
//! the rule, so a contributor knows what to change, not only what failed.
//!
//! In order: the path as the user sees it (`display`, relative to the including file's
//! directory: for messages, and the next file's directory) is made absolute only to choose a
//! root. The chain's depth and the files read are bounded before anything is opened. Each root
//! (the scenario's directory, then each --allow-dir) is tried as named (lexical) and as the
//! kernel resolved it (canonical), so that a path spelled through a symbolic link in the root's
//! own path, or without it, is found beneath it; the root's descriptor confines either. The
//! first open that succeeds wins; `candidate` says the path lay beneath some root, `err` keeps
//! the first reason an open failed other than an escape (EXDEV), or EXDEV when that is all
//! there was. Outside every root and refused by the kernel as leaving it get one message, which
//! says nothing of what is outside (whether the file exists there or not). The identity of the
//! open descriptor (device:inode) is compared with the chain before a byte is read, so a cycle
//! is found whatever names it took. The file is then read through its descriptor, counted (the
//! bytes bound is checked on the total so far), and its own include and extends resolved
//! (resolve_text) with itself on the chain, and off it again after, so that a file included
//! twice by siblings is not a cycle (the include-bomb bounds limit that instead). The
//! descriptor is closed on every way out, exceptions included.
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
//! O_PATH: the root is an anchor for openat2, not a directory to read, so it needs no read
//! permission and cannot be read through. Its canonical path is taken from the descriptor, so
//! it is the directory actually held, whatever happens to the name later.
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
  // The root as named, made absolute, and as the kernel resolved it (through its descriptor).
  r.lexical = fs::absolute(name, ec).lexically_normal();
  r.canonical = fd_path(r.fd);
  if (ec || r.lexical.empty() || r.canonical.empty() || !r.canonical.is_absolute()) {
    throw InputError(what, "", "cannot resolve the directory \"" + jsonio::excerpt(name) + "\"");
  }
  return r;
}

}  // namespace dcplan::loader
