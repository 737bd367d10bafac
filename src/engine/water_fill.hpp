// Private to dcplan_core: the water-filling of docs/model.md, steps 4 and 6. One mechanism for
// facility money against the caps (step 4, and the IT overflow spent on facilities) and for IT
// money against the power each region has free (step 6).
#pragma once

#include <algorithm>

#include "engine/model.hpp"

namespace dcplan::engine {

//! Shares `pool` over the regions with room left, in proportion to their `weights`, and again
//! with what they could not take, until it is absorbed or no region has room; returns what is
//! left. `has_room(r)` says whether region r can take more; `take(r, give)` spends up to `give`
//! there and returns what it spent. Each pass fills at least one region's room, so there are at
//! most as many passes as regions (plus one).
template <class HasRoom, class Take>
double water_fill(const ArrayXd& weights, double pool, HasRoom&& has_room, Take&& take) {
  const Index regions = weights.size();
  for (Index pass = 0; pass <= regions && pool > kEps; ++pass) {
    double w_room = 0;
    for (Index r = 0; r < regions; ++r) {
      if (has_room(r)) w_room += weights(r);
    }
    if (w_room <= 0) break;
    double left = 0;
    for (Index r = 0; r < regions; ++r) {
      if (!has_room(r) || weights(r) <= 0) continue;
      const double give = pool * weights(r) / w_room;
      left += std::max(0.0, give - take(r, give));
    }
    pool = left;
  }
  return pool;
}

}  // namespace dcplan::engine
