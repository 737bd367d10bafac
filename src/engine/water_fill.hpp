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
//!
//! Why passes and not one proportional split: a region whose room is smaller than its share
//! hands the difference back, and that money is owed to the others by their weights, not lost.
//! Each pass gives every region with room its weight's share of what is left, so regions that
//! still have room end with amounts in the ratio of their weights, as docs/model.md says.
//!
//! The order of regions within a pass is fixed (by index, which is by id), and `left` is summed
//! in that order, so the result is the same to the last bit on every run. A region of weight 0
//! (closed) takes nothing. Money below kEps is rounding and stops the passes: it is left over.
template <class HasRoom, class Take>
double water_fill(const ArrayXd& weights, double pool, HasRoom&& has_room, Take&& take) {
  const Index regions = weights.size();
  // Each pass: the weight of the regions with room, then each one's share of the pool, and
  // what it could not take goes into the next pass's pool.
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
