// The Python module `dcplan` (its compiled part, dcplan._dcplan): the library in process, no
// subprocess and no CSV. src/python/dcplan/__init__.py wraps it (DataFrames, InputError).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dcplan/build_info.hpp"
#include "dcplan/compare.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/load.hpp"
#include "dcplan/options.hpp"
#include "dcplan/result_json.hpp"
#include "dcplan/results.hpp"
#include "dcplan/run_view.hpp"
#include "dcplan/search.hpp"
#include "dcplan/sensitivity.hpp"
#include "dcplan/sweep.hpp"

namespace py = pybind11;

namespace {

//! A loaded scenario: a snapshot. Its merged document (extends, includes and set applied) is
//! what later calls run and apply their overrides to; the file is not read again.
struct PyScenario {
  std::string path;  //!< as given (bytes): names it in messages
  std::string merged;
  std::shared_ptr<const dcplan::Scenario> scenario;
};

//! Text from the library as a Python str: a file name that is not UTF-8 as os.fsdecode gives it
//! (surrogate escapes), never an exception.
py::str text(const std::string& s) {
  PyObject* o =
      PyUnicode_DecodeUTF8(s.data(), static_cast<py::ssize_t>(s.size()), "surrogateescape");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

//! dcplan.InputError (defined in __init__.py) carrying every diagnostic as (file, pointer,
//! message, line, column).
[[noreturn]] void raise_input(const dcplan::InputError& e) {
  py::gil_scoped_acquire gil;
  py::list diagnostics;
  for (const auto& d : e.diagnostics()) {
    diagnostics.append(
        py::make_tuple(text(d.file), text(d.pointer), text(d.message), d.line, d.column));
  }
  const py::object cls = py::module_::import("dcplan").attr("InputError");
  const py::object error = cls(diagnostics);
  PyErr_SetObject(cls.ptr(), error.ptr());
  throw py::error_already_set();
}

//! A list of texts from None, one string, or an iterable of anything str() takes.
std::vector<std::string> strings(const py::object& list) {
  std::vector<std::string> out;
  if (list.is_none()) return out;
  if (py::isinstance<py::str>(list)) return {list.cast<std::string>()};
  for (const auto& item : list) out.push_back(py::str(item).cast<std::string>());
  return out;
}

std::vector<std::string> as_overrides(const py::object& set) {
  std::vector<std::string> out;
  if (set.is_none()) return out;
  if (py::isinstance<py::dict>(set)) {
    const py::module_ json = py::module_::import("json");
    for (const auto& [key, value] : set.cast<py::dict>()) {
      out.push_back(py::str(key).cast<std::string>() + "=" +
                    json.attr("dumps")(value).cast<std::string>());
    }
    return out;
  }
  return strings(set);  // "PTR=JSON" texts, as on the command line
}

//! A path argument (str, bytes or os.PathLike) as the bytes the system sees (os.fsencode); a
//! NUL, which would cut it short, is an InputError naming `argument`.
std::string fs_path(const py::handle& path, const char* argument) {
  const std::string s = py::module_::import("os").attr("fsencode")(path).cast<std::string>();
  if (s.find('\0') != std::string::npos) {
    raise_input(dcplan::InputError(argument, "",
                                   "expected a file name, found a path with a NUL byte (at byte " +
                                       std::to_string(s.find('\0')) + ")"));
  }
  return s;
}

//! Standard input for the path "-": sys.stdin read to its end (what the interpreter has there,
//! or whatever a program put in its place), as bytes.
std::string read_stdin() {
  const py::object in = py::module_::import("sys").attr("stdin");
  if (in.is_none()) {
    raise_input(dcplan::InputError("-", "", "no standard input to read (sys.stdin is None)"));
  }
  const py::object got = in.attr("read")();
  if (py::isinstance<py::bytes>(got)) return got.cast<std::string>();
  return got.attr("encode")("utf-8", "surrogateescape").cast<std::string>();
}

//! Where a scenario argument comes from: a path (its file read when the call loads it; "-" is
//! sys.stdin, read now), or a loaded Scenario (its merged document), and `set` applied after.
struct Source {
  std::string path;
  std::optional<std::string> text;
  std::vector<std::string> overrides;
};

Source source(const py::object& what, const py::object& set, const char* argument = "scenario") {
  Source src;
  if (py::isinstance<PyScenario>(what)) {
    const auto& s = what.cast<const PyScenario&>();
    src.path = s.path;
    src.text = s.merged;
  } else {
    src.path = fs_path(what, argument);
    if (src.path == "-") src.text = read_stdin();
  }
  src.overrides = as_overrides(set);
  return src;
}

//! Names as the command line's "a,b,c" (a string is taken as it is).
std::string comma_list(const py::object& names) {
  std::string out;
  for (const auto& n : strings(names)) out += (out.empty() ? "" : ",") + n;
  return out;
}

//! A keyword's value as T, as pybind11 converts an argument; a TypeError naming the keyword and
//! what it takes otherwise.
template <class T>
T keyword(const py::handle& value, std::string_view name, const char* expected) {
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string(name) + ": expected " + expected + ", found " +
                         py::str(py::type::of(value).attr("__name__")).cast<std::string>());
  }
}

//! Sets `request`'s members from Python's keywords (`args`, as dcplan/__init__.py converted them
//! by the table's forms), one table row at a time: what the command line's CLI11 does for its
//! flags. Scenarios (a path or a Scenario) and their overrides too, unless `sources` is false.
template <class R>
void fill(const dcplan::options::Command<R>& command, const py::dict& args, R& request,
          bool sources = true) {
  using dcplan::options::Form;
  for (const auto& o : command.options) {
    if (o.python.empty() || o.form == Form::kCallback) continue;
    if (!sources && (o.form == Form::kScenario || o.form == Form::kOverrides)) continue;
    const py::object value = args[py::str(std::string(o.python))];
    const std::string_view name = o.python;
    std::visit(dcplan::options::Overloaded{
                   [](std::monostate) {},
                   [&](bool R::*m) { request.*m = keyword<bool>(value, name, "True or False"); },
                   [&](int R::*m) { request.*m = keyword<int>(value, name, "a whole number"); },
                   [&](long long R::*m) {
                     request.*m = keyword<long long>(value, name, "a whole number");
                   },
                   [&](std::uint64_t R::*m) {
                     request.*m = keyword<std::uint64_t>(value, name, "a whole number");
                   },
                   [&](double R::*m) { request.*m = keyword<double>(value, name, "a number"); },
                   [&](std::string R::*m) {
                     const std::string argument(name);  // names the argument in an InputError
                     if (o.form == Form::kScenario) {
                       const Source src = source(value, py::none(), argument.c_str());
                       request.*m = src.path;
                       request.*(o.text) = src.text;
                     } else if (o.form == Form::kNames) {
                       request.*m = comma_list(value);
                     } else if (o.form == Form::kPath) {
                       request.*m =
                           value.is_none() ? std::string() : fs_path(value, argument.c_str());
                     } else {
                       request.*m = keyword<std::string>(value, name, "a string");
                     }
                   },
                   [&](std::vector<std::string> R::*m) {
                     request.*m = o.form == Form::kOverrides ? as_overrides(value) : strings(value);
                   },
                   [&](const dcplan::options::Custom<R>& c) {
                     if (value.is_none()) return;
                     try {
                       c.apply(request, keyword<std::string>(value, name, "a string"));
                     } catch (const dcplan::InputError& e) {
                       raise_input(e);
                     }
                   },
               },
               o.member);
  }
}

//! A vector handed to NumPy without a copy: the array owns it.
template <class T>
py::array_t<T> as_array(std::vector<T>&& v) {
  auto* heap = new std::vector<T>(std::move(v));
  const py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(heap->size()), heap->data(), owner);
}

//! Runs `body` without the GIL, raising an InputError as dcplan.InputError; an exception from
//! Python (a KeyboardInterrupt, a progress callback's) passes through as it is.
template <class F>
auto without_gil(F&& body) {
  try {
    py::gil_scoped_release release;
    return body();
  } catch (const dcplan::InputError& e) {
    raise_input(e);
  }
}

//! Runs `body(cancel)` without the GIL on a thread of its own, while this thread (the one Python
//! delivers signals to) looks for a pending signal every 10 ms: Ctrl-C sets `cancel`, which the
//! library checks before every engine run, and raises KeyboardInterrupt once `body` has
//! stopped. An InputError is raised as dcplan.InputError.
template <class F>
auto cancellable(F&& body) {
  std::atomic<int> cancel{0};
  auto done = std::async(std::launch::async, [&] { return body(&cancel); });
  while (true) {
    {
      py::gil_scoped_release release;
      if (done.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) break;
    }
    if (PyErr_CheckSignals() != 0) {
      cancel = SIGINT;
      {
        py::gil_scoped_release release;
        done.wait();
      }
      try {
        (void)done.get();
      } catch (...) {  // Interrupted, or whatever came first: the signal's exception wins
      }
      throw py::error_already_set();
    }
  }
  try {
    return done.get();
  } catch (const dcplan::InputError& e) {
    raise_input(e);
  }
}

//! A text column (`limit`) as its words.
py::list words(const std::vector<double>& values, int col) {
  const auto& info = dcplan::column_info(static_cast<dcplan::Col>(col));
  py::list out;
  for (const double v : values) out.append(dcplan::io::exact_cell(v, info));
  return out;
}

dcplan::LoadOptions load_options(Source& src) {
  dcplan::LoadOptions o;
  o.overrides = std::move(src.overrides);
  o.text = std::move(src.text);
  return o;
}

PyScenario load_source(Source src) {
  PyScenario s;
  s.path = src.path;
  const dcplan::LoadOptions options = load_options(src);
  s.scenario = without_gil([&] {
    return std::make_shared<const dcplan::Scenario>(
        dcplan::load_scenario(s.path, options, s.merged));
  });
  return s;
}

//! A per-year array of a scenario indexed by its years: a pandas Series named `name` with the
//! index "year" when pandas is importable, else a dict {year: value}. A new object at every
//! call: changing it leaves the scenario as it is.
py::object by_year(const dcplan::Scenario& s, const Eigen::ArrayXd& values, const char* name) {
  py::list years, list;
  py::dict out;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    const py::int_ year(s.horizon.start + static_cast<int>(i));
    years.append(year);
    list.append(values(i));
    out[year] = values(i);
  }
  py::module_ pandas;
  try {
    pandas = py::module_::import("pandas");
  } catch (py::error_already_set& e) {
    if (!e.matches(PyExc_ImportError)) throw;
    return out;
  }
  const py::object index = pandas.attr("Index")(years, py::arg("name") = "year");
  return pandas.attr("Series")(list, py::arg("index") = index, py::arg("name") = name,
                               py::arg("dtype") = "float64");
}

PyScenario load(const py::object& path, const py::object& set) {
  return load_source(source(path, set, "path"));
}

std::vector<std::string> validate(const py::object& path, const py::object& set) {
  Source src = source(path, set, "path");
  const dcplan::LoadOptions options = load_options(src);
  std::vector<dcplan::Diagnostic> ds;
  {
    py::gil_scoped_release release;
    ds = dcplan::validate_scenario(src.path, options);
  }
  if (!ds.empty()) raise_input(dcplan::InputError(ds));
  return {};
}

//! The key columns of the selected rows: year, region, and with rows per hardware, hardware
//! (None on a region's row over all its hardware).
void key_columns(const dcplan::Results& res, const dcplan::Selection& sel, bool by_hardware,
                 py::dict& out) {
  const auto n = static_cast<py::ssize_t>(sel.rows.size());
  py::array_t<int> year(n);
  py::list region, hardware;
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto r = sel.rows[static_cast<std::size_t>(i)];
    year.mutable_at(i) = res.keys[static_cast<std::size_t>(r)].year;
    region.append(res.region_name(r));
    if (by_hardware) {
      const std::string h = res.hardware_name(r);
      hardware.append(h.empty() ? py::none() : py::object(py::str(h)));
    }
  }
  out["year"] = year;
  out["region"] = region;
  if (by_hardware) out["hardware"] = hardware;
}

//! The cells the view shows, a vector per column: money converted, row by row as the writers
//! convert it, so that a cell that overflows in the currency is the one the csv names.
std::vector<std::vector<double>> shown_cells(const dcplan::RunResult& r,
                                             const dcplan::Selection& sel) {
  std::vector<std::vector<double>> cells(sel.columns.size());
  for (auto& column : cells) column.reserve(sel.rows.size());
  for (const auto row : sel.rows) {
    for (std::size_t j = 0; j < sel.columns.size(); ++j) {
      cells[j].push_back(r.view.value(r.results, row, sel.columns[j]));
    }
  }
  return cells;
}

//! dcplan.run: the library's run use case (dcplan::run_view), as the command line's `run`
//! calls it, with the same checks in the same order; as a dict of columns: year and region (and
//! hardware), then each column the view selects under its name as shown (capex_cny with a
//! currency) as a float64 array of the csv's cells (NaN for an empty cell; `limit` as a list of
//! its words).
py::dict run(const py::dict& args) {
  dcplan::RunRequest request;
  fill(dcplan::options::run(), args, request, /*sources=*/false);
  // As on the command line: --by and the form of --years before the scenario is read.
  (void)without_gil([&] { return dcplan::parse_view(request); });
  // A Scenario with more overrides is loaded again: they apply to its document.
  const py::object what = args["scenario"], set = args["set"];
  const PyScenario s = py::isinstance<PyScenario>(what) && set.is_none()
                           ? what.cast<PyScenario>()
                           : load_source(source(what, set));
  const dcplan::RunResult r = without_gil([&] { return dcplan::run_view(*s.scenario, request); });
  const dcplan::Selection sel = r.view.select(r.results);
  auto cells = without_gil([&] { return shown_cells(r, sel); });
  py::dict out;
  key_columns(r.results, sel, r.view.by_hardware(), out);
  for (std::size_t j = 0; j < sel.columns.size(); ++j) {
    const int c = sel.columns[j];
    const py::str name(sel.names[j]);
    if (dcplan::column_info(static_cast<dcplan::Col>(c)).kind == dcplan::ColumnKind::kText) {
      out[name] = words(cells[j], c);
    } else {
      out[name] = as_array(std::move(cells[j]));
    }
  }
  return out;
}

//! Called by the sweep's writing thread (the caller's) about every 200 ms: a pending signal
//! (Ctrl-C: KeyboardInterrupt) stops the sweep, as does an exception from `callback(done,
//! total)`.
std::function<void(const dcplan::SweepProgress&)> python_progress(py::object callback) {
  return [callback = std::move(callback)](const dcplan::SweepProgress& p) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!callback.is_none()) callback(p.done, p.total);
  };
}

//! dcplan.sweep's columns: run, one per varied parameter, one per target (bool, with targets),
//! year, region (codes into `regions`), a column per metric; or the summary's year, region,
//! metric (codes into `metrics`, which then names the pass columns and ratios too), n, mean, p5,
//! p50, p95, and with targets low and high. `_whole`: how many summary rows lack a year.
py::dict sweep(const py::dict& args) {
  dcplan::SweepOptions o;
  fill(dcplan::options::sweep(), args, o);
  // Made and destroyed with the GIL held: it holds a Python object.
  const auto hook = python_progress(args["progress"]);
  dcplan::SweepTable t = without_gil([&] { return dcplan::collect_sweep(o, hook); });
  py::dict out;
  py::list metric_names;
  for (const int m : t.metrics)
    metric_names.append(std::string(dcplan::column_info(static_cast<dcplan::Col>(m)).name));
  for (const auto& name : t.targets) metric_names.append(name);
  for (const auto& name : t.ratios) metric_names.append(name);
  out["_regions"] = t.regions;
  out["_metrics"] = metric_names;
  if (t.summary) {
    out["_whole"] = std::count(t.year.begin(), t.year.end(), dcplan::SweepTable::kNoYear);
    out["year"] = as_array(std::move(t.year));
    out["region"] = as_array(std::move(t.region));
    out["metric"] = as_array(std::move(t.metric));
    out["n"] = as_array(std::move(t.n));
    out["mean"] = as_array(std::move(t.mean));
    out["p5"] = as_array(std::move(t.p5));
    out["p50"] = as_array(std::move(t.p50));
    out["p95"] = as_array(std::move(t.p95));
    if (!t.targets.empty()) {
      out["low"] = as_array(std::move(t.low));
      out["high"] = as_array(std::move(t.high));
    }
    return out;
  }
  out["run"] = as_array(std::move(t.run));
  for (std::size_t i = 0; i < t.params.size(); ++i)
    out[py::str(t.params[i])] = as_array(std::move(t.param_values[i]));
  // 1 or 0 per row, seen by NumPy as bool without a copy (both one byte).
  for (std::size_t i = 0; i < t.targets.size(); ++i)
    out[py::str(t.targets[i])] = as_array(std::move(t.passes[i])).attr("view")("bool");
  out["year"] = as_array(std::move(t.year));
  out["region"] = as_array(std::move(t.region));
  for (std::size_t i = 0; i < t.metrics.size(); ++i) {
    const int m = t.metrics[i];
    const py::str name(std::string(dcplan::column_info(static_cast<dcplan::Col>(m)).name));
    if (dcplan::column_info(static_cast<dcplan::Col>(m)).kind == dcplan::ColumnKind::kText) {
      out[name] = words(t.values[i], m);
    } else {
      out[name] = as_array(std::move(t.values[i]));
    }
  }
  return out;
}

using Json = nlohmann::ordered_json;

//! A result's record (result_json.hpp) as Python objects: objects as dicts in their order,
//! arrays as lists, numbers as int or float (NaN and infinities kept), strings as str.
py::object to_python(const Json& j) {
  switch (j.type()) {
    case Json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case Json::value_t::number_integer:
      return py::int_(j.get<std::int64_t>());
    case Json::value_t::number_unsigned:
      return py::int_(j.get<std::uint64_t>());
    case Json::value_t::number_float:
      return py::float_(j.get<double>());
    case Json::value_t::string:
      return py::cast(j.get_ref<const std::string&>());
    case Json::value_t::array: {
      py::list out;
      for (const auto& item : j) out.append(to_python(item));
      return out;
    }
    case Json::value_t::object: {
      py::dict out;
      for (const auto& [key, value] : j.items()) out[py::cast(key)] = to_python(value);
      return out;
    }
    default:
      return py::none();
  }
}

enum class Column { kList, kInt32, kFloat64 };

//! A record's rows (objects) as Python's columns, in `spec`'s order: NumPy arrays for numbers,
//! lists otherwise; an empty table keeps its columns and their types.
py::dict columns(const Json& rows, const std::vector<std::pair<const char*, Column>>& spec) {
  const auto n = static_cast<py::ssize_t>(rows.size());
  py::dict out;
  for (const auto& [name, kind] : spec) {
    if (kind == Column::kList) {
      py::list values;
      for (const auto& row : rows) values.append(to_python(row.at(name)));
      out[name] = values;
    } else if (kind == Column::kInt32) {
      py::array_t<int> values(n);
      for (py::ssize_t i = 0; i < n; ++i) values.mutable_at(i) = rows[i].at(name).get<int>();
      out[name] = values;
    } else {
      py::array_t<double> values(n);
      for (py::ssize_t i = 0; i < n; ++i) values.mutable_at(i) = rows[i].at(name).get<double>();
      out[name] = values;
    }
  }
  return out;
}

//! dcplan.compare: the joined rows as columns, the gates as records.
py::dict compare(const py::dict& args) {
  dcplan::CompareInputs in;
  fill(dcplan::options::compare(), args, in);
  const dcplan::CompareResult r = without_gil([&] { return dcplan::compare_scenarios(in); });
  const Json record = dcplan::to_json(r, dcplan::JsonShape::kRecord);
  py::dict out = to_python(record);
  std::vector<std::pair<const char*, Column>> spec = {{"year", Column::kInt32},
                                                      {"region", Column::kList}};
  if (r.by_hardware) spec.emplace_back("hardware", Column::kList);
  spec.insert(spec.end(), {{"metric", Column::kList},
                           {"base", Column::kFloat64},
                           {"other", Column::kFloat64},
                           {"diff", Column::kFloat64},
                           {"rel_diff", Column::kFloat64}});
  out["rows"] = columns(record.at("rows"), spec);
  return out;
}

//! A solve record as Python's dict: its intervals as (lo, hi) pairs.
py::dict solve_record(const Json& record) {
  py::dict out = to_python(record);
  py::list intervals;
  for (const auto& in : record.at("intervals")) {
    intervals.append(py::make_tuple(in[0].get<double>(), in[1].get<double>()));
  }
  out["intervals"] = intervals;
  return out;
}

//! dcplan.solve: one lever's answer, or with several (or a cost) {cost, currency, runs,
//! levers}, each lever as one answer with its cost.
py::dict solve(const py::dict& args) {
  dcplan::SolveOptions o;
  fill(dcplan::options::solve(), args, o);
  if (o.vary.size() == 1 && o.cost.empty()) {
    const dcplan::SolveResult r = cancellable([&](const std::atomic<int>* cancel) {
      o.cancel = cancel;
      return dcplan::solve(o);
    });
    return solve_record(dcplan::to_json(r, dcplan::JsonShape::kRecord));
  }
  const dcplan::SolveLevers r = cancellable([&](const std::atomic<int>* cancel) {
    o.cancel = cancel;
    return dcplan::solve_levers(o);
  });
  const Json record = dcplan::to_json(r, dcplan::JsonShape::kRecord);
  py::dict out = to_python(record);
  py::list levers;
  for (const auto& lever : record.at("levers")) levers.append(solve_record(lever));
  out["levers"] = levers;
  return out;
}

py::dict optimize(const py::dict& args) {
  dcplan::OptimizeOptions o;
  fill(dcplan::options::optimize(), args, o);
  const dcplan::OptimizeResult r = cancellable([&](const std::atomic<int>* cancel) {
    o.cancel = cancel;
    return dcplan::optimize(o);
  });
  return to_python(dcplan::to_json(r, dcplan::JsonShape::kRecord));
}

py::dict sensitivity(const py::dict& args) {
  dcplan::sensitivity::ScenarioOptions o;
  fill(dcplan::options::sensitivity(), args, o);
  const dcplan::sensitivity::Analysis a = cancellable([&](const std::atomic<int>* cancel) {
    o.cancel = cancel;
    return dcplan::sensitivity::analyse(o);
  });
  const Json record = dcplan::to_json(a, dcplan::JsonShape::kRecord);
  py::dict out = to_python(record);
  out["rows"] = columns(record.at("rows"), {{"input", Column::kList},
                                            {"metric", Column::kList},
                                            {"year", Column::kList},
                                            {"region", Column::kList},
                                            {"statistic", Column::kList},
                                            {"value", Column::kFloat64},
                                            {"ci_low", Column::kFloat64},
                                            {"ci_high", Column::kFloat64}});
  if (record.contains("tornado")) {
    out["tornado"] = columns(record.at("tornado"), {{"input", Column::kList},
                                                    {"metric", Column::kList},
                                                    {"year", Column::kList},
                                                    {"region", Column::kList},
                                                    {"low", Column::kFloat64},
                                                    {"high", Column::kFloat64},
                                                    {"swing", Column::kFloat64},
                                                    {"base", Column::kFloat64}});
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_dcplan, m) {
  m.doc() = "dcplan, the capacity-planning simulator for AI data centres, in process.";
  m.attr("__version__") = dcplan::build_info::version();
  m.attr("commit") = dcplan::build_info::commit();
  // pybind11 2.10 looks NumPy's C API up into a function-local static on first use: a first
  // use on two threads at once deadlocks (one waits for the static holding the GIL, the other
  // imports NumPy inside it and needs the GIL). Look it up now, on the importing thread.
  try {
    (void)py::array_t<double>(0);
  } catch (const py::error_already_set&) {  // no NumPy: sweep and run say so when called
  }
  py::class_<PyScenario>(m, "Scenario",
                         "A loaded, validated scenario (read-only): a snapshot. Calls given it "
                         "run the document it was loaded as, whatever happens to its files.")
      .def_property_readonly("path", [](const PyScenario& s) { return text(s.path); })
      .def_property_readonly("name", [](const PyScenario& s) { return s.scenario->name; })
      .def_property_readonly("title", [](const PyScenario& s) { return s.scenario->title; })
      .def_property_readonly("sha256", [](const PyScenario& s) { return s.scenario->sha256; })
      .def_property_readonly("horizon",
                             [](const PyScenario& s) {
                               return py::make_tuple(s.scenario->horizon.start,
                                                     s.scenario->horizon.end);
                             })
      .def_property_readonly("regions",
                             [](const PyScenario& s) {
                               std::vector<std::string> ids;
                               for (const auto& r : s.scenario->regions) ids.push_back(r.id);
                               return ids;
                             })
      .def_property_readonly("hardware",
                             [](const PyScenario& s) {
                               std::vector<std::string> ids;
                               for (const auto& h : s.scenario->hardware) ids.push_back(h.id);
                               return ids;
                             })
      .def_property_readonly(
          "budget_usd",
          [](const PyScenario& s) {
            return by_year(*s.scenario, s.scenario->capex.budget / s.scenario->capex.fx_per_usd,
                           "budget_usd");
          },
          "the capex budget by year, in US dollars: a pandas Series indexed by year (a dict "
          "{year: value} without pandas), a copy")
      .def(
          "to_json", [](const PyScenario& s) { return text(s.merged); },
          "the merged document (extends, includes and set applied), as dcplan validate --merged "
          "printed it when the scenario was loaded")
      .def("__repr__", [](const PyScenario& s) {
        return "<dcplan.Scenario " + s.scenario->name + " " +
               std::to_string(s.scenario->horizon.start) + "-" +
               std::to_string(s.scenario->horizon.end) + ">";
      });
  m.def("load", &load, py::arg("path"), py::arg("set") = py::none(),
        "Load and validate a scenario file (a str, bytes or os.PathLike path; \"-\" reads "
        "sys.stdin to its end); set: {pointer: value} overrides. The Scenario keeps the merged "
        "document: later calls given it do not read the files again.");
  m.def("validate", &validate, py::arg("path"), py::arg("set") = py::none(),
        "Validate a scenario file (a str, bytes or os.PathLike path; \"-\" reads sys.stdin); "
        "raises InputError listing every problem.");
  // The commands: each takes its keywords as a dict, converted by __init__.py from the option
  // tables (_options), and fills its request from them (fill).
  m.def("_options", &dcplan::options::tables_json,
        "The option tables of the commands, as JSON (dcplan/options.hpp).");
  m.def("_run", &run, py::arg("args"));
  m.def("_sweep", &sweep, py::arg("args"));
  m.def("_compare", &compare, py::arg("args"));
  m.def("_solve", &solve, py::arg("args"));
  m.def("_optimize", &optimize, py::arg("args"));
  m.def("_sensitivity", &sensitivity, py::arg("args"));
}
