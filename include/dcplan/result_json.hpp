// dcplan — the results of solve, optimize, sensitivity and compare as JSON, one function per
// result type (issue 28, item 3).
//
// The record is the whole result, every field named as its member is (what Python converts:
// the dicts and objects of dcplan.solve, optimize, sensitivity and compare). The report is the
// document `--format json` prints, a stable, documented choice of the record's members (some
// under other names), declared as a projection of it in src/result_json.cpp; the command line
// attaches its provenance (provenance.hpp). A field added to a result is added to its record;
// the report shows it when its projection picks it.
//
// The sweep's summary has no such document: it is rows, written by the sweep's writer (csv,
// jsonl, the store) and handed to Python as columns (collect_sweep).
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace dcplan {

struct SolveResult;
struct SolveLevers;
struct OptimizeResult;
struct CompareResult;
namespace sensitivity {
struct Analysis;
}

enum class JsonShape {
  kReport,  //!< what `--format json` prints (numbers that are not finite print as null)
  kRecord,  //!< every field, for programs in process (numbers kept as they are: NaN, inf)
};

[[nodiscard]] nlohmann::ordered_json to_json(const SolveResult& r,
                                             JsonShape shape = JsonShape::kReport);
//! Several levers: {cost, currency, runs, levers: [each as solve's, with its cost]}.
[[nodiscard]] nlohmann::ordered_json to_json(const SolveLevers& r,
                                             JsonShape shape = JsonShape::kReport);
[[nodiscard]] nlohmann::ordered_json to_json(const OptimizeResult& r,
                                             JsonShape shape = JsonShape::kReport);
[[nodiscard]] nlohmann::ordered_json to_json(const sensitivity::Analysis& a,
                                             JsonShape shape = JsonShape::kReport);
[[nodiscard]] nlohmann::ordered_json to_json(const CompareResult& r,
                                             JsonShape shape = JsonShape::kReport);

}  // namespace dcplan
