// coherence (in progress)
#include "analysis.hpp"
