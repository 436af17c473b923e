// TODO(helper)
#include "io/samples.h"
