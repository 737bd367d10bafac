// dcplan — files written whole or not at all.
//
// Output goes to a temporary file created exclusively (mkstemp: O_EXCL, so nothing planted at its
// name is followed) in the directory of the file the path finally names, and is renamed over it
// on commit(); a run that fails (or an AtomicFile destroyed without commit) leaves no file behind
// and the old one, if any, untouched. A symbolic link is written through, never replaced: the
// file it points to gets the content, the link stays. A file that exists keeps its permission
// bits. A target that is a device, a pipe or a socket (/dev/null, /dev/stdout) is written in
// place. A signal that ends the process removes the temporary file first (see
// install_cleanup_handlers).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace dcplan::io {

class AtomicFile {
 public:
  //! Opens a temporary file beside the target. Throws InputError when it cannot.
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  [[nodiscard]] std::ostream& stream() { return *out_; }
  //! The temporary file, for writers that open it by name (SQLite); empty when the target is
  //! written in place (a device, a pipe or a socket).
  [[nodiscard]] const std::string& temp_path() const { return temp_; }
  //! The file commit() replaces: the path with its symbolic links followed (empty when written
  //! in place).
  [[nodiscard]] const std::string& target() const { return target_; }
  //! Flushes, checks for write errors, renames into place. Throws InputError on failure.
  void commit();
  //! commit() for a file that must not exist yet: links the temporary file to the path as given
  //! (link(2) neither follows nor replaces anything at the name, a symbolic link included), then
  //! removes the temporary name. False, nothing written, when the name exists; InputError for
  //! any other failure.
  [[nodiscard]] bool commit_new();

 private:
  //! Flushes and closes the file; throws InputError, the temporary file removed, when a write
  //! failed. False when the target is written in place (nothing to move).
  bool close_written();

  class Buffer;
  std::string path_;    //!< as the user gave it (messages)
  std::string target_;  //!< the file it names, symbolic links followed
  std::string temp_;
  int fd_ = -1;
  int slot_ = -1;  //!< in the signal-cleanup registry
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::ostream> out_;
  bool committed_ = false;
  bool direct_ = false;  //!< a device, pipe or socket: written in place
};

//! Writes content to path atomically; "-" or "" writes to standard output.
void write_output(const std::string& path, std::string_view content);

//! Writes content to a new file at path, whole or not at all, and never over anything: false,
//! nothing written, when the path exists (a dangling symbolic link included). InputError for
//! any other failure.
[[nodiscard]] bool write_new(const std::string& path, std::string_view content);

//! Installs handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE that remove every
//! temporary file of a live AtomicFile and exit with 128 + the signal, and ignores SIGXFSZ (a
//! write past `ulimit -f` then fails with EFBIG, reported as any failed write). Commands that
//! stop cleanly on a signal of their own (sweep) install theirs after this.
void install_cleanup_handlers();

//! Removes the live temporary files (async-signal-safe); for a command's own signal handler.
void remove_temporaries() noexcept;

}  // namespace dcplan::io
