// TODO(helper)
#include "io/npz.h"
