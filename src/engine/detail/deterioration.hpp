// What gpsi warn reads from the forecast: each country's chance of a deterioration the year after
// an origin, from the method's forecast model (src/engine/forecast.cpp).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "engine.hpp"

namespace gpsi::engine::detail {

//! A country's P(its index score worsens by forecast.deterioration or more from `origin` to the
//! year after), over the draws in which it is ranked, as outlook.csv's p_deterioration.
struct Risk {
  std::string unit;
  int origin = 0;
  double last_score = kNa, p = kNa;
};

//! The risks at each origin (0: the method's last year), with cfg's draws, seed and threads; the
//! forecast model is the method's forecast.model.
Result<std::vector<std::vector<Risk>>> DeteriorationRisks(const ForecastConfig& cfg, std::span<const int> origins);

}  // namespace gpsi::engine::detail
