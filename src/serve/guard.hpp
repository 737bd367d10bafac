// Private to dcplan serve: who may talk to the server, decided before a request is read.
//
// The threat: dcplan serve listens on the planner's machine while the planner's browser visits
// other sites. A page of another origin can make that browser send requests to 127.0.0.1
// (cross-site request forgery), and a name the attacker controls can be re-pointed to
// 127.0.0.1 after the page loaded, making the attacker's page same-origin with the server (DNS
// rebinding). Other users of a shared machine can reach the port too. The answers, layered so
// that each alone stops an attack the others might miss:
//  - a random token per start (/dev/urandom), printed only in the URL, required on every API
//    call in a header (401): a page that does not know it gets nothing, and a custom header
//    cannot cross origins without a CORS preflight, which the server never grants;
//  - the Host header must name the address served (403): a rebound name carries the attacker's
//    host name, never 127.0.0.1 or localhost;
//  - an Origin header, when the browser sends one, must be the server's own (403): browsers send
//    it on every cross-origin request and on every POST;
//  - a POST body must be JSON (415), declared with its length and at most kMaxBodyBytes (413,
//    411 without a length): an HTML form cannot send application/json, and no request can make
//    the server hold more than the cap.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dcplan::serve {

//! The largest request body read (an edit list of kMaxEdits pointers fits several times).
inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;

//! What the guard reads of a request: the line and the headers, before any body.
struct RequestHead {
  std::string method;  //!< GET, POST, ...
  std::string path;    //!< without the query
  std::string host;    //!< the Host header ("" when absent)
  std::string origin;  //!< the Origin header ("" when absent)
  std::string token;   //!< the X-Dcplan-Token header
  std::string content_type;
  std::string content_length;  //!< as sent ("" when absent)
  bool chunked = false;        //!< a Transfer-Encoding header was sent
};

//! A refusal: an HTTP status and why, in words for the page.
struct Refusal {
  int status = 0;  //!< 0: the request may go on
  std::string message;
};

//! A random token of 32 bytes from /dev/urandom, as 64 hex digits. Throws ModelError when the
//! device cannot be read: no token is better than a guessable one.
[[nodiscard]] std::string random_token();

//! True when `a` and `b` are equal, in a time that does not depend on where they differ.
[[nodiscard]] bool same_token(std::string_view a, std::string_view b);

//! Base64 (RFC 4648, with padding).
[[nodiscard]] std::string base64(std::string_view bytes);

//! The Content-Security-Policy source of an inline element's text: 'sha256-BASE64'.
[[nodiscard]] std::string csp_hash(std::string_view text);

//! True for a loopback address or name (127.0.0.0/8, ::1, localhost), which only this machine
//! reaches.
[[nodiscard]] bool is_loopback(std::string_view host);

class Guard {
 public:
  //! `host` as bound (--host), `port` as bound (the real one with --port 0).
  Guard(const std::string& host, int port, std::string token);

  //! Whether the request may go on: the Host first (a rebound name gets nothing at all), then
  //! for /api/ the token, the Origin, and for a POST its body's type and length.
  [[nodiscard]] Refusal check(const RequestHead& r) const;

  //! The Host headers that name this server: the address bound and, on a loopback address,
  //! localhost and the other loopback spellings; on a wildcard address (0.0.0.0, ::) any IP
  //! literal (a literal cannot be rebound), always with the port.
  [[nodiscard]] bool host_allowed(std::string_view host) const;

  [[nodiscard]] const std::string& token() const { return token_; }

 private:
  std::vector<std::string> hosts_;  //!< lower case, "name:port"
  bool wildcard_ = false;
  int port_ = 0;
  std::string token_;
};

}  // namespace dcplan::serve
