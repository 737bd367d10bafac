#include "serve/guard.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>

#include "dcplan/error.hpp"
#include "sha256.hpp"

namespace dcplan::serve {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

//! "[::1]" → "::1": an IPv6 literal as it stands in a Host header, without its brackets.
std::string_view unbracket(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

bool is_ip_literal(std::string_view host) {
  const std::string h(unbracket(host));
  std::array<unsigned char, 16> buf{};
  return ::inet_pton(AF_INET, h.c_str(), buf.data()) == 1 ||
         ::inet_pton(AF_INET6, h.c_str(), buf.data()) == 1;
}

//! "name:port" as a Host header writes it (an IPv6 literal in brackets).
std::string host_port(std::string_view host, int port) {
  const std::string h(unbracket(host));
  const bool v6 = h.find(':') != std::string::npos;
  return lower(v6 ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

//! The hex digits of sha256_hex as bytes.
std::string hex_bytes(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    unsigned v = 0;
    std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    out += static_cast<char>(v);
  }
  return out;
}

Refusal refuse(int status, std::string message) {
  return {status, std::move(message)};
}

}  // namespace

std::string random_token() {
  // /dev/urandom, not std::random_device: the latter may be a deterministic engine on some
  // platforms, and a token must never be guessable.
  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ModelError("cannot open /dev/urandom for the server's token");
  std::array<unsigned char, 32> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != bytes.size()) throw ModelError("cannot read /dev/urandom for the server's token");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (const unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

bool same_token(std::string_view a, std::string_view b) {
  // Every byte is compared whatever the earlier ones were: the time taken says nothing about
  // how much of a guess was right. Only the length (public: 64 hex digits) shows.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (const int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string csp_hash(std::string_view text) {
  return "'sha256-" + base64(hex_bytes(sha256_hex(text))) + "'";
}

bool is_loopback(std::string_view host) {
  const std::string h = lower(unbracket(host));
  if (h == "localhost" || h == "::1") return true;
  std::array<unsigned char, 4> v4{};
  return ::inet_pton(AF_INET, h.c_str(), v4.data()) == 1 && v4[0] == 127;
}

Guard::Guard(const std::string& host, int port, std::string token)
    : port_(port), token_(std::move(token)) {
  const std::string h = lower(unbracket(host));
  wildcard_ = h == "0.0.0.0" || h == "::" || h.empty();
  hosts_.push_back(host_port(h, port));
  if (is_loopback(h)) {
    for (const char* alias : {"localhost", "127.0.0.1", "::1"}) {
      hosts_.push_back(host_port(alias, port));
    }
  }
}

bool Guard::host_allowed(std::string_view host) const {
  const std::string h = lower(host);
  if (std::find(hosts_.begin(), hosts_.end(), h) != hosts_.end()) return true;
  if (!wildcard_) return false;
  // Bound to every address: any IP literal with our port names this server, and a literal is
  // never the attacker's name re-pointed at us.
  const auto colon = h.rfind(':');
  if (colon == std::string::npos || h.substr(colon + 1) != std::to_string(port_)) return false;
  const std::string name = h.substr(0, colon);
  return is_ip_literal(name) || name == "localhost";
}

Refusal Guard::check(const RequestHead& r) const {
  if (!host_allowed(r.host)) {
    return refuse(403, "this server answers only to its own address (Host header)");
  }
  // The page is served to anyone who reaches the address: it holds no data and no token.
  const bool api = r.path.rfind("/api/", 0) == 0;
  if (!r.origin.empty() && lower(r.origin) != "http://" + lower(r.host)) {
    return refuse(403, "requests from another origin are refused");
  }
  if (r.method != "GET" && r.method != "POST") return refuse(405, "only GET and POST");
  if (!api) return {};
  if (!same_token(r.token, token_)) {
    return refuse(401, "missing or wrong token: open the URL dcplan serve printed");
  }
  if (r.method != "POST") return {};
  if (r.chunked || r.content_length.empty()) {
    return refuse(411, "a request body needs a Content-Length");
  }
  std::size_t length = 0;
  const char* end = r.content_length.data() + r.content_length.size();
  const auto [ptr, ec] = std::from_chars(r.content_length.data(), end, length);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && length > kMaxBodyBytes)) {
    return refuse(413,
                  "the request body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
  }
  if (ec != std::errc() || ptr != end) return refuse(400, "an invalid Content-Length");
  std::string type = lower(r.content_type.substr(0, r.content_type.find(';')));
  type.erase(type.find_last_not_of(" \t") + 1);
  if (type != "application/json") return refuse(415, "the request body must be application/json");
  return {};
}

}  // namespace dcplan::serve
