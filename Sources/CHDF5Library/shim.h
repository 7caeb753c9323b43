// CHDF5Library: libhdf5's headers and link flags (through pkg-config), for the CHDF5 shim only.
#include <hdf5.h>
