// The Python module `dcplan` (its compiled part, dcplan._dcplan): the library in process, no
// subprocess and no CSV. src/python/dcplan/__init__.py wraps it (DataFrames, InputError).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "dcplan/build_info.hpp"
#include "dcplan/engine.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/load.hpp"
#include "dcplan/results.hpp"

namespace py = pybind11;

namespace {

//! A loaded scenario, with what loaded it (for to_json).
struct PyScenario {
  std::string path;
  dcplan::LoadOptions options;
  std::shared_ptr<const dcplan::Scenario> scenario;
};

//! dcplan.InputError (defined in __init__.py) carrying every diagnostic as (file, pointer,
//! message, line, column).
[[noreturn]] void raise_input(const dcplan::InputError& e) {
  py::gil_scoped_acquire gil;
  py::list diagnostics;
  for (const auto& d : e.diagnostics()) {
    diagnostics.append(py::make_tuple(d.file, d.pointer, d.message, d.line, d.column));
  }
  const py::object cls = py::module_::import("dcplan").attr("InputError");
  const py::object error = cls(diagnostics);
  PyErr_SetObject(cls.ptr(), error.ptr());
  throw py::error_already_set();
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
  for (const auto& item : set) out.push_back(py::str(item).cast<std::string>());
  return out;
}

PyScenario load(const std::string& path, const py::object& set) {
  PyScenario s;
  s.path = path;
  s.options.overrides = as_overrides(set);
  try {
    py::gil_scoped_release release;
    s.scenario = std::make_shared<const dcplan::Scenario>(dcplan::load_scenario(path, s.options));
  } catch (const dcplan::InputError& e) {
    raise_input(e);
  }
  return s;
}

std::vector<std::string> validate(const std::string& path, const py::object& set) {
  dcplan::LoadOptions options;
  options.overrides = as_overrides(set);
  std::vector<dcplan::Diagnostic> ds;
  {
    py::gil_scoped_release release;
    ds = dcplan::validate_scenario(path, options);
  }
  if (!ds.empty()) raise_input(dcplan::InputError(ds));
  return {};
}

//! The rows --by selects and the columns --metrics names (all by default), as a dict of
//! columns: year and region (and hardware) first, then each metric as a float64 array (NaN for
//! an empty cell; `limit` as a list of its words).
py::dict run(const py::object& what, const py::object& set, const std::string& by,
             const py::object& metrics) {
  PyScenario s = py::isinstance<PyScenario>(what) ? what.cast<PyScenario>()
                                                  : load(py::str(what).cast<std::string>(), set);
  if (py::isinstance<PyScenario>(what) && !set.is_none()) {
    s = load(s.path, set);  // the overrides apply to the document, so it is loaded again
  }
  dcplan::io::FormatOptions fo;
  fo.format = dcplan::io::Format::kCsv;  // every column that applies unless metrics names some
  dcplan::Results res;
  try {
    fo.by = dcplan::io::parse_rows_by(by);
    if (!metrics.is_none()) {
      std::string list;
      if (py::isinstance<py::str>(metrics)) {
        list = metrics.cast<std::string>();
      } else {
        for (const auto& m : metrics)
          list += (list.empty() ? "" : ",") + py::str(m).cast<std::string>();
      }
      fo.columns = dcplan::io::parse_metrics(list, s.scenario->demand.has_value());
    }
    dcplan::EngineOptions eo;
    eo.by_hardware = fo.by == dcplan::io::RowsBy::kHardware;
    py::gil_scoped_release release;
    res = dcplan::simulate(*s.scenario, eo);
  } catch (const dcplan::InputError& e) {
    raise_input(e);
  }
  const bool by_hardware = fo.by == dcplan::io::RowsBy::kHardware;
  const std::vector<int> cols = dcplan::io::selected_columns(res, fo);
  const std::vector<Eigen::Index> rows = dcplan::io::selected_rows(res, fo);
  const auto n = static_cast<py::ssize_t>(rows.size());
  py::dict out;
  py::array_t<int> year(n);
  py::list region, hardware;
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto r = rows[static_cast<std::size_t>(i)];
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
  for (int c : cols) {
    const auto& info = dcplan::column_info(static_cast<dcplan::Col>(c));
    if (info.kind == dcplan::ColumnKind::kText) {
      py::list words;
      for (const auto r : rows) words.append(dcplan::io::exact_cell(res.values(r, c), info));
      out[py::str(std::string(info.name))] = words;
      continue;
    }
    py::array_t<double> column(n);
    for (py::ssize_t i = 0; i < n; ++i)
      column.mutable_at(i) = res.values(rows[static_cast<std::size_t>(i)], c);
    out[py::str(std::string(info.name))] = column;
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_dcplan, m) {
  m.doc() = "dcplan, the capacity-planning simulator for AI data centres, in process.";
  m.attr("__version__") = dcplan::build_info::version();
  m.attr("commit") = dcplan::build_info::commit();
  py::class_<PyScenario>(m, "Scenario", "A loaded, validated scenario (read-only).")
      .def_property_readonly("path", [](const PyScenario& s) { return s.path; })
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
            // Read-only: a view of the scenario's own array, kept alive by the Scenario.
            const Eigen::ArrayXd b = s.scenario->capex.budget / s.scenario->capex.fx_per_usd;
            py::array_t<double> out(b.size());
            for (Eigen::Index i = 0; i < b.size(); ++i) out.mutable_at(i) = b(i);
            out.attr("setflags")(py::arg("write") = false);
            return out;
          },
          "the capex budget by year, in US dollars")
      .def(
          "to_json",
          [](const PyScenario& s) {
            try {
              return dcplan::merged_document(s.path, s.options);
            } catch (const dcplan::InputError& e) {
              raise_input(e);
            }
          },
          "the merged document (extends, includes and set applied), as dcplan validate --merged")
      .def("__repr__", [](const PyScenario& s) {
        return "<dcplan.Scenario " + s.scenario->name + " " +
               std::to_string(s.scenario->horizon.start) + "-" +
               std::to_string(s.scenario->horizon.end) + ">";
      });
  m.def("load", &load, py::arg("path"), py::arg("set") = py::none(),
        "Load and validate a scenario file; set: {pointer: value} overrides.");
  m.def("validate", &validate, py::arg("path"), py::arg("set") = py::none(),
        "Validate a scenario file; raises InputError listing every problem.");
  m.def("_run", &run, py::arg("scenario"), py::arg("set") = py::none(), py::arg("by") = "region",
        py::arg("metrics") = py::none());
}
