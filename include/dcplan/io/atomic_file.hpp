// dcplan — files written whole or not at all.
//
// Output goes to a temporary file beside the target, renamed over it on commit(); a run that
// fails (or an AtomicFile destroyed without commit) leaves no file behind and the old one, if
// any, untouched. A target that is a device or a pipe (/dev/null, /dev/stdout) is written in
// place and never replaced.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

namespace dcplan::io {

class AtomicFile {
 public:
  //! Opens a temporary file in the target's directory. Throws InputError when it cannot.
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  [[nodiscard]] std::ostream& stream() { return out_; }
  //! Flushes, checks for write errors, renames into place. Throws InputError on failure.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  std::ofstream out_;
  bool committed_ = false;
  bool direct_ = false;  //!< a device or pipe: written in place
};

//! Writes content to path atomically; "-" or "" writes to standard output.
void write_output(const std::string& path, std::string_view content);

}  // namespace dcplan::io
