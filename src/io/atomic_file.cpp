#include "dcplan/io/atomic_file.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

#include "dcplan/error.hpp"

namespace dcplan::io {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  const fs::path target(path_);
  std::error_code ec;
  const auto status = fs::status(target, ec);
  if (fs::is_directory(status)) {
    throw InputError(path_, "", "cannot write the output: the path is a directory");
  }
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    // A device or a pipe (/dev/null, /dev/stdout): written in place, never replaced.
    direct_ = true;
    out_.open(path_, std::ios::binary);
    if (!out_) {
      throw InputError(path_, "", std::string("cannot write the output: ") + std::strerror(errno));
    }
    return;
  }
  if (!fs::is_directory(target.parent_path().empty() ? fs::path(".") : target.parent_path(), ec)) {
    throw InputError(path_, "",
                     "cannot write the output: the directory " + target.parent_path().string() +
                         " does not exist");
  }
  // Unique per process and object, so parallel shards writing beside each other never collide.
  temp_ = path_ + ".tmp." + std::to_string(::getpid()) + "." +
          std::to_string(reinterpret_cast<std::uintptr_t>(this) % 1000003);
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    throw InputError(path_, "", std::string("cannot write the output: ") + std::strerror(errno));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !direct_) {
    out_.close();
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (direct_) {
    committed_ = true;
    if (!ok || out_.fail())
      throw InputError(path_, "", "error while writing the output (disk full?)");
    return;
  }
  if (!ok || out_.fail()) {
    std::error_code ec;
    fs::remove(temp_, ec);
    committed_ = true;
    throw InputError(path_, "", "error while writing the output (disk full?)");
  }
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::error_code ec;
    fs::remove(temp_, ec);
    committed_ = true;
    throw InputError(path_, "", "cannot move the output into place: " + reason);
  }
  committed_ = true;
}

void write_output(const std::string& path, std::string_view content) {
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

}  // namespace dcplan::io
