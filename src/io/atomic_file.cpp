// Files written whole or not at all (dcplan/io/atomic_file.hpp). Why, and what each step stops:
//
//   - Readers never see half a file. CI uploads, dashboards and `dcplan verify` read outputs
//     while or after dcplan writes them; a run that fails (a full disk, ulimit -f, a signal)
//     must leave the previous file as it was, not a truncated one that parses. So the content
//     goes to a temporary file, is flushed and closed (close reports deferred write errors on
//     some file systems), and only then renamed over the target: rename(2) replaces a name
//     atomically, and only within one file system, hence the temporary sits in the target's
//     own directory.
//   - Nothing planted at the temporary name is followed. The output directory may be shared
//     (/tmp) or hold files from a pull request's checkout. mkostemp creates the temporary with
//     O_EXCL and a random name, so a symbolic link or a file another user placed there makes the
//     creation fail rather than redirecting the write; the name is short and ours whatever the
//     target's length.
//   - A link planted at the target after the check is replaced, not followed: rename(2) does
//     not follow a symbolic link at its destination. A link that is there when the output is
//     opened is followed on purpose (a user's `-o latest.csv` link to a dated file keeps
//     working), which means that a job writing into a directory a pull request controls
//     writes where that directory's links lead: CI should write outputs to a directory of its
//     own.
//   - A private file stays private: the temporary is created 0600, then given the mode (and,
//     where allowed, the owner) of the file it replaces, or 0666 less the umask for a new file,
//     what open(2) would have given it.
//   - A signal leaves no temporary behind: the handler removes every live one, using only
//     async-signal-safe calls (unlink, write, _exit) on storage fixed in advance.
#include "dcplan/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <streambuf>

#include "dcplan/error.hpp"

namespace dcplan::io {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Temporary files a signal handler must remove: fixed storage, no allocation in the handler.

namespace {

// At most kSlots outputs open at once (a command writes one or two); a temporary that finds no
// slot is still removed by its AtomicFile, only not by a signal. A path too long for a slot is
// treated alike.
constexpr std::size_t kSlots = 8;
constexpr std::size_t kPathMax = 4096;
std::array<std::array<char, kPathMax>, kSlots> g_paths{};
std::array<std::atomic<int>, kSlots> g_live{};  // 0 free, 1 claimed, 2 path ready

//! Registers a temporary for the signal handler; returns its slot, or -1. The slot is claimed
//! (0 → 1) by compare-and-exchange, so two threads never share one; the path is copied before
//! the slot is marked ready (→ 2), so the handler never reads a half-copied path.
int claim(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_live[i].compare_exchange_strong(expected, 1)) {
      std::memcpy(g_paths[i].data(), path.c_str(), path.size() + 1);
      g_live[i].store(2);
      return static_cast<int>(i);
    }
  }
  return -1;
}

//! Frees a slot once its temporary is renamed or removed: a later signal must not unlink a name
//! that is now the user's output (or another process's file).
void release(int slot) {
  if (slot >= 0) g_live[static_cast<std::size_t>(slot)].store(0);
}

//! The handler: extern "C" for sigaction. _exit, not exit: no atexit handlers or stream flushes
//! run inside a signal handler, where they are not safe. The exit status is 128 + the signal,
//! as a shell reports a process killed by it.
extern "C" void cleanup_and_exit(int sig) {
  remove_temporaries();
  // A closed pipe (dcplan run ... | head) is the reader's choice, not news: no message then.
  if (sig != SIGPIPE) {
    static const char kMessage[] = "interrupted by a signal; no output file written\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  }
  // 128 + the signal, as a shell reports a process the signal killed.
  ::_exit(128 + sig);
}

// ---------------------------------------------------------------------------------------------
// Where a path leads.

//! strerror's text, for messages (not used in the signal handler).
std::string error_text(int err) {
  return std::strerror(err);
}

//! The path with its symbolic links followed (at most 40), up to the first component that does
//! not exist: the file a write through the path would create or replace.
//! A loop of links is refused after 40 hops, the kernel's own limit (ELOOP). A relative link is
//! resolved against the directory of the link. Throws InputError naming `shown`.
std::string follow_links(const std::string& path, const std::string& shown) {
  fs::path p(path);
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p.string();
    std::array<char, kPathMax> buf{};
    const ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size() - 1);
    if (n < 0) return p.string();
    const fs::path link(std::string(buf.data(), static_cast<std::size_t>(n)));
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
  throw InputError(shown, "", "cannot write the output: too many levels of symbolic links");
}

}  // namespace

//! (Declared in dcplan/io/atomic_file.hpp.) Reads only slots marked ready (2); async-signal-safe.
void remove_temporaries() noexcept {
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (g_live[i].load() == 2) ::unlink(g_paths[i].data());
  }
}

//! (Declared in dcplan/io/atomic_file.hpp.) SIGPIPE too: `dcplan run ... | head` ends the reader
//! early, and the writer then exits quietly rather than leaving a temporary.
void install_cleanup_handlers() {
  struct sigaction sa {};
  sa.sa_handler = cleanup_and_exit;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaction(sig, &sa, nullptr);
  // Past a file-size limit (ulimit -f) a write fails with EFBIG instead of killing the process:
  // the writer then reports it and removes its temporary file.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGXFSZ, &ignore, nullptr);
}

// ---------------------------------------------------------------------------------------------
// A stream buffer over a file descriptor.

//! A 64 KiB buffer over write(2) rather than a std::ofstream, so that the first error (ENOSPC,
//! EFBIG, EDQUOT) is kept with its errno and reported by commit(), where a stream would keep
//! only a failbit.
class AtomicFile::Buffer : public std::streambuf {
 public:
  explicit Buffer(int fd) : fd_(fd) { setp(data_.data(), data_.data() + data_.size()); }
  [[nodiscard]] bool failed() const { return error_ != 0; }
  //! The errno of the first failed write (0: none).
  [[nodiscard]] int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!flush()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return flush() ? 0 : -1; }

 private:
  //! Writes the whole buffer, resuming after a short write or EINTR. On an error the buffer is
  //! dropped: the file is lost anyway, and commit() reports the first errno.
  bool flush() {
    const char* p = pbase();
    while (p < pptr()) {
      // A short write is resumed from where it stopped; EINTR (a signal) is retried.
      const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
      if (n < 0) {
        if (errno == EINTR) continue;
        if (error_ == 0) error_ = errno;
        setp(data_.data(), data_.data() + data_.size());
        return false;
      }
      p += n;
    }
    setp(data_.data(), data_.data() + data_.size());
    return true;
  }

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> data_{};
};

//! (Declared in dcplan/io/atomic_file.hpp.) stat, not lstat, on the path: a link to a device
//! (/dev/stdout) is written in place like the device. The parent directory is checked first so
//! that a missing directory is reported as such rather than as mkostemp's ENOENT. Throws
//! InputError naming the path.
AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw InputError("-o", "", "expected a file name, found an empty string");
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  // stat follows links: a link to a directory is refused like a directory.
  if (exists && S_ISDIR(st.st_mode)) {
    throw InputError(path_, "", "cannot write the output: the path is a directory");
  }
  if (exists && !S_ISREG(st.st_mode)) {
    // A device, a pipe or a socket (/dev/null, /dev/stdout): written in place, never replaced.
    direct_ = true;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd_ < 0) throw InputError(path_, "", "cannot write the output: " + error_text(errno));
  } else {
    // The file the path finally names: the temporary is made in its directory, so that the
    // rename stays on one file system, and the rename replaces it, not the link.
    target_ = follow_links(path_, path_);
    const fs::path parent = fs::path(target_).parent_path();
    const std::string dir = parent.empty() ? std::string(".") : parent.string();
    struct stat dst {};
    if (::stat(dir.c_str(), &dst) != 0) {
      throw InputError(
          path_, "",
          errno == ENOTDIR
              ? "cannot write the output: a part of " + dir + " is a file, not a directory"
              : "cannot write the output: the directory " + dir + " does not exist");
    }
    if (!S_ISDIR(dst.st_mode)) {
      throw InputError(path_, "",
                       "cannot write the output: " + dir + " is a file, not a directory");
    }
    // A short name of its own, whatever the length of the target's: O_EXCL means a file or a
    // link planted at the name makes the creation fail instead of redirecting the write.
    // A dot name, hidden from a plain ls, in the target's own directory: mkostemp replaces the
    // six X with random characters.
    std::string name = (fs::path(dir) / ".dcplan-XXXXXX").string();
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ < 0) throw InputError(path_, "", "cannot write the output: " + error_text(errno));
    temp_ = name;
    slot_ = claim(temp_);
    // The existing file's permission bits (and owner, where allowed); a new file gets what
    // open(2) would have given it: 0666 less the umask.
    // fchmod and fchown on the descriptor, not the name: they change the file we created.
    if (exists) {
      ::fchmod(fd_, st.st_mode & 07777);
      [[maybe_unused]] const int ignored = ::fchown(fd_, st.st_uid, st.st_gid);
    } else {
      // umask can only be read by setting it; it is put back at once.
      const mode_t mask = ::umask(0);
      ::umask(mask);
      ::fchmod(fd_, 0666 & ~mask);
    }
  }
  buffer_ = std::make_unique<Buffer>(fd_);
  out_ = std::make_unique<std::ostream>(buffer_.get());
}

//! (Declared in dcplan/io/atomic_file.hpp.) Without commit(): the temporary is removed and the
//! target left untouched (an exception on the way out, or an interrupted study).
AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
  release(slot_);
}

//! Flush and close; false when there was nothing to move (a device, written in place). A failure
//! removes the temporary and throws InputError with the system's reason.
bool AtomicFile::close_written() {
  out_->flush();
  // fd_ is cleared before the close, so the destructor never closes it again: a second close
  // could close a descriptor another thread has opened since.
  const bool written = static_cast<bool>(*out_) && !buffer_->failed();
  const int fd = fd_;
  fd_ = -1;
  const bool closed = ::close(fd) == 0;
  const int close_error = closed ? 0 : errno;
  committed_ = true;
  // Say why: "No space left on device", "File too large" (ulimit -f), "Disk quota exceeded".
  const int err = buffer_->error() != 0 ? buffer_->error() : close_error;
  const std::string why =
      "cannot write the output: " + (err != 0 ? error_text(err) : std::string("write error"));
  if (direct_) {
    if (!written) throw InputError(path_, "", why);
    return false;
  }
  if (!written || !closed) {
    ::unlink(temp_.c_str());
    release(slot_);
    slot_ = -1;
    throw InputError(path_, "", why);
  }
  return true;
}

//! (Declared in dcplan/io/atomic_file.hpp.) Flush, close, then rename: a failure at any step
//! removes the temporary and throws InputError with the system's reason; the target is
//! replaced only when every byte was written and the file closed without error. A device is
//! written in place and has nothing to rename.
void AtomicFile::commit() {
  if (!close_written()) return;
  // EXDEV cannot happen (same directory); a read-only directory or a target that is now a
  // directory can.
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    const std::string reason = error_text(errno);
    ::unlink(temp_.c_str());
    release(slot_);
    slot_ = -1;
    throw InputError(path_, "", "cannot move the output into place: " + reason);
  }
  release(slot_);
  slot_ = -1;
}

bool AtomicFile::commit_new() {
  if (!close_written()) return true;
  // link(2), unlike rename(2), fails with EEXIST instead of replacing what is at the name: two
  // writers racing for one name cannot both win, and neither can follow a link planted there.
  const int linked = ::link(temp_.c_str(), path_.c_str());
  const int err = errno;
  ::unlink(temp_.c_str());
  release(slot_);
  slot_ = -1;
  if (linked == 0) return true;
  if (err == EEXIST) return false;
  throw InputError(path_, "", "cannot move the output into place: " + error_text(err));
}

//! (Declared in dcplan/io/atomic_file.hpp.) Standard output is checked after the flush, so a full
//! disk behind a redirection is an error, not a silently short file.
void write_output(const std::string& path, std::string_view content) {
  // Standard output is not replaced but written: whoever reads it gets what is written.
  if (path.empty() || path == "-") {
    std::cout.write(content.data(), static_cast<std::streamsize>(content.size()));
    std::cout.flush();
    if (!std::cout) throw InputError("-", "", "error while writing standard output (disk full?)");
    return;
  }
  AtomicFile f(path);
  f.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  f.commit();
}

bool write_new(const std::string& path, std::string_view content) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return false;  // something is there, a dangling link too
  AtomicFile f(path);
  f.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  return f.commit_new();
}

}  // namespace dcplan::io
