// Private to dcplan serve: the HTTP server (cpp-httplib), the only file that sees HTTP.
//
// Routes: GET / (the page, compiled into the binary: serve/page.hpp), GET /api/form, POST
// /api/run and POST /api/save (serve/session.hpp). Every request passes the Guard first
// (serve/guard.hpp: Host, Origin, token, type and length of the body), before its body is read.
// Every response forbids sniffing, framing, caching and referrers; the page's
// Content-Security-Policy allows no script or style but the page's own, by their SHA-256
// computed at start, and no connection but to this server.
#pragma once

#include <functional>
#include <string>

namespace dcplan::serve {

class Session;

struct ServerOptions {
  std::string host = "127.0.0.1";  //!< --host: a loopback address unless allow_remote
  int port = 8787;                 //!< --port; 0 picks a free port
  bool allow_remote = false;       //!< --allow-remote: another address may be bound
};

//! Seconds a connection may take to send its request or to read its answer.
inline constexpr int kTimeoutSeconds = 5;

//! Binds, calls `ready` with the page's URL (its token in the fragment) once connections are
//! accepted, and serves `session` until SIGINT, SIGTERM or SIGHUP. Throws InputError when the
//! address needs --allow-remote or cannot be bound.
void serve_forever(const Session& session, const ServerOptions& options,
                   const std::function<void(const std::string& url, int port)>& ready);

}  // namespace dcplan::serve
