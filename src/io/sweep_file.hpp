// Private to dcplan_core: the sweep output format, owned here and used by its writers (the csv
// and jsonl row sinks), merge, report --sweep and sensitivity's csv alike. It lives in src/io,
// not src/sweep, so that report and sensitivity read it without including sweep's private
// headers. A rows file starts with a header line
//   # dcplan-sweep v1 hash=HHHHHHHHHHHHHHHH runs=N shard=K/N        (csv)
//   {"dcplan_sweep":{"version":1,"hash":"H","runs":N,"shard":"K/N"}} (jsonl)
// then (csv) the column line `run,<varied parameters...>,<pass:TARGET...>,year,region,
// <metrics...>` (the pass columns with --targets). A summary starts with kSweepSummaryColumns
// instead, and kSweepSummaryIntervalColumns after it with --targets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dcplan::io {

inline constexpr std::string_view kSweepSummaryColumns = "year,region,metric,n,mean,p5,p50,p95";
//! What a summary with --targets adds to kSweepSummaryColumns: the pass rates' 90% interval.
inline constexpr std::string_view kSweepSummaryIntervalColumns = ",low,high";
inline constexpr std::string_view kSweepHeaderPrefix = "# dcplan-sweep";
//! The most runs a sweep has (sweep::kMaxRuns, checked equal in merge.cpp): a header claiming
//! more is malformed.
inline constexpr long long kMaxSweepRuns = 1000000000LL;

//! The first line of a rows file (with its newline). `hash` is 16 hexadecimal digits.
[[nodiscard]] std::string sweep_header_line(const std::string& hash, long long runs, long long k,
                                            long long n, bool jsonl);

struct ShardHeader {
  std::string hash;
  std::string dcplan, commit;  //!< what wrote it (empty in headers from before 0.2)
  long long runs = 0;
  long long k = 0;
  long long n = 1;
  bool jsonl = false;
};

//! Parses a rows file's first line; throws InputError naming `file` when it is not one.
[[nodiscard]] ShardHeader parse_sweep_header(const std::string& file, const std::string& line);

//! A csv field, quoted when it holds a comma, a quote or a newline.
[[nodiscard]] std::string csv_field(const std::string& s);

//! The number of comma-separated fields of a csv line (quotes respected), or -1 when a quote
//! is left open.
[[nodiscard]] long long csv_fields(const std::string& line);

//! The fields of a csv line, quotes removed from a quoted field (its "" read as "); a quote
//! left open ends the last field at the end of the line (csv_fields says -1 for it).
[[nodiscard]] std::vector<std::string> csv_split(const std::string& line);

//! A whole decimal number in [0, max], or -1.
[[nodiscard]] long long whole(std::string_view text, long long max);

}  // namespace dcplan::io
