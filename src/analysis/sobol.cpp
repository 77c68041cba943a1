// sobol (in progress)
#include "analysis.hpp"
