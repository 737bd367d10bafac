#include "serve/server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "dcplan/error.hpp"
#include "dcplan/report/svg.hpp"
#include "serve/guard.hpp"
#include "serve/page.hpp"
#include "serve/session.hpp"
#include "text.hpp"

namespace dcplan::serve {

namespace {

//! The text of the page's one inline element <tag>…</tag>, as the browser hashes it.
std::string_view inline_text(std::string_view html, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto a = html.find(open);
  const auto b = a == std::string_view::npos ? a : html.find(close, a);
  DCPLAN_ASSERT(b != std::string_view::npos);
  return html.substr(a + open.size(), b - a - open.size());
}

//! The page as served: the compiled-in page with the charts' rules (report::chart_css, which the
//! report's page shares) in place of its marker. Made once; the policy hashes this text.
const std::string& page() {
  static const std::string text = [] {
    std::string html(page_html());
    constexpr std::string_view kMarker = "/* dcplan:chart-css */\n";
    const auto at = html.find(kMarker);
    DCPLAN_ASSERT(at != std::string::npos);
    return html.replace(at, kMarker.size(), report::chart_css());
  }();
  return text;
}

//! The policy of every response. Script and style only the page's own, by hash: were a
//! scenario's string ever to reach the page as markup, it could not run or restyle anything.
//! Connections only to this server; no frame may hold the page (clickjacking), no form post
//! anywhere, no <base> to redirect relative URLs; images only the empty data: icon.
std::string content_security_policy() {
  const std::string_view html = page();
  return "default-src 'none'; script-src " + csp_hash(inline_text(html, "script")) +
         "; style-src " + csp_hash(inline_text(html, "style")) +
         "; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
         "frame-ancestors 'none'";
}

RequestHead head_of(const httplib::Request& req) {
  RequestHead h;
  h.method = req.method;
  h.path = req.path;
  h.host = req.get_header_value("Host");
  h.origin = req.get_header_value("Origin");
  h.token = req.get_header_value("X-Dcplan-Token");
  h.content_type = req.get_header_value("Content-Type");
  h.content_length = req.get_header_value("Content-Length");
  h.chunked = req.has_header("Transfer-Encoding");
  return h;
}

//! An answer sent as it is. cpp-httplib would brotli-compress a JSON or HTML body for a browser
//! that accepts it, at the encoder's highest quality: about a second for the 600 KB answer of
//! alibaba-380b, which a loopback connection carries in a millisecond. A body given by a
//! content provider of known length is never compressed.
void send_text(httplib::Response& res, int status, std::string text, const std::string& type) {
  res.status = status;
  auto body = std::make_shared<const std::string>(std::move(text));
  res.set_content_provider(body->size(), type,
                           [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             return sink.write(body->data() + offset, length);
                           });
}

void send(httplib::Response& res, int status, std::string json_body) {
  send_text(res, status, std::move(json_body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send(res, status, nlohmann::json{{"error", message}}.dump());
}

//! The guard, before routing and before any body is read; also for "Expect: 100-continue",
//! so that a refused client is told before it sends its body.
void install_guard(httplib::Server& svr, const Guard& guard) {
  auto refused = [&guard](const httplib::Request& req, httplib::Response& res) {
    const Refusal r = guard.check(head_of(req));
    if (r.status == 0) return false;
    spdlog::debug("refused {} {}: {} {}", text::terminal_safe(req.method, 20),
                  text::terminal_safe(req.path, 200), r.status, r.message);
    send_error(res, r.status, r.message);
    return true;
  };
  svr.set_pre_routing_handler([refused](const httplib::Request& req, httplib::Response& res) {
    return refused(req, res) ? httplib::Server::HandlerResponse::Handled
                             : httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_expect_100_continue_handler(
      [refused](const httplib::Request& req, httplib::Response& res) {
        return refused(req, res) ? res.status : 100;
      });
}

void install_routes(httplib::Server& svr, const Session& session) {
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    send_text(res, 200, page(), "text/html; charset=utf-8");
  });
  svr.Get("/api/form", [&session](const httplib::Request&, httplib::Response& res) {
    send(res, 200, session.form());
  });
  svr.Post("/api/run", [&session](const httplib::Request& req, httplib::Response& res) {
    Request r;
    Reply reply;
    if (parse_request(req.body, r, reply)) reply = session.run(r.edits);
    send(res, reply.status, std::move(reply.body));
  });
  svr.Post("/api/save", [&session](const httplib::Request& req, httplib::Response& res) {
    Request r;
    Reply reply;
    if (parse_request(req.body, r, reply)) reply = session.save(r.name, r.edits);
    send(res, reply.status, std::move(reply.body));
  });
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    // cpp-httplib's own refusals (no route, a method it does not know) come without a body.
    if (res.body.empty() && res.content_length_ == 0) send_error(res, res.status, "no such route");
  });
  svr.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(std::move(ep));
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("internal error on {}: {}", text::terminal_safe(req.path, 200),
                      text::terminal_safe(what, 600));
        send_error(res, 500, "internal error: " + what);
      });
  svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("{} {} {}", text::terminal_safe(req.method, 20),
                  text::terminal_safe(req.path, 200), res.status);
  });
}

//! Limits that bound what one connection can hold: time, size, and one request per
//! connection, so that a refused request's unread body is never read as the next request and
//! an idle browser connection never holds a worker.
void configure(httplib::Server& svr) {
  svr.set_read_timeout(kTimeoutSeconds, 0);
  svr.set_write_timeout(kTimeoutSeconds, 0);
  svr.set_keep_alive_max_count(1);
  svr.set_payload_max_length(kMaxBodyBytes);
  svr.set_tcp_nodelay(true);  // an answer's headers and body leave at once (no Nagle delay)
  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, with which a second
  // server of the same user could bind the same port and take half the requests.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  svr.new_task_queue = [] { return new httplib::ThreadPool(4); };
  svr.set_default_headers({{"Content-Security-Policy", content_security_policy()},
                           {"X-Content-Type-Options", "nosniff"},
                           {"X-Frame-Options", "DENY"},
                           {"Referrer-Policy", "no-referrer"},
                           {"Cache-Control", "no-store"},
                           {"Cross-Origin-Opener-Policy", "same-origin"},
                           {"Cross-Origin-Resource-Policy", "same-origin"}});
}

//! Binds `options`' address (and port, or any free one); the port bound.
int bind(httplib::Server& svr, const ServerOptions& options) {
  if (!is_loopback(options.host) && !options.allow_remote) {
    throw InputError("--host", "",
                     text::excerpt(options.host) +
                         " is not a loopback address: other machines could reach the server "
                         "(add --allow-remote if that is what you want)");
  }
  const int port = options.port == 0
                       ? svr.bind_to_any_port(options.host)
                       : (svr.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    throw InputError("--port", "",
                     "cannot listen on " + text::excerpt(options.host) + " port " +
                         std::to_string(options.port) + " (in use, or not an address here?)");
  }
  if (!is_loopback(options.host)) {
    spdlog::warn(
        "listening on {} (--allow-remote): other machines can reach this server; the token "
        "alone keeps them out, and plain HTTP does not hide it from the network",
        text::terminal_safe(options.host, 100));
  }
  return port;
}

std::string url_of(const ServerOptions& options, int port, const std::string& token) {
  // A wildcard address is no place to browse to: the page is at the loopback address.
  std::string host = options.host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  // The token in the fragment: the browser never sends a fragment, so it appears in no request
  // line, log or Referer; the page reads it and sends it in a header.
  return "http://" + host + ":" + std::to_string(port) + "/#token=" + token;
}

//! SIGINT, SIGTERM and SIGHUP, blocked in every thread and taken by one waiting thread, which
//! stops the server: stop() is not safe inside a signal handler. SIGPIPE (a browser that
//! closed its connection) is ignored.
class SignalStop {
 public:
  explicit SignalStop(httplib::Server& svr) {
    sigemptyset(&set_);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, sig);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    std::signal(SIGPIPE, SIG_IGN);
    waiter_ = std::thread([this, &svr] {
      while (!done_) {
        const timespec tick{0, 200'000'000};
        const int sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig > 0) {
          spdlog::info("stopping (signal {})", sig);
          svr.stop();
          return;
        }
      }
    });
  }
  SignalStop(const SignalStop&) = delete;
  SignalStop& operator=(const SignalStop&) = delete;
  ~SignalStop() {
    done_ = true;
    waiter_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t set_{};
  sigset_t old_{};
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

}  // namespace

void serve_forever(const Session& session, const ServerOptions& options,
                   const std::function<void(const std::string& url, int port)>& ready) {
  httplib::Server svr;
  configure(svr);
  const int port = bind(svr, options);
  const Guard guard(options.host, port, random_token());
  install_guard(svr, guard);
  install_routes(svr, session);
  // Blocked before the workers start, so that they inherit the mask.
  SignalStop stop(svr);
  ready(url_of(options, port, guard.token()), port);
  svr.listen_after_bind();
}

}  // namespace dcplan::serve
