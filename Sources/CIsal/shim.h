// Intel's ISA-L (Debian: libisal-dev), for its CRC32: the same checksum as zlib's crc32, made
// with carry-less multiplication where the CPU has it (about 50 GB/s here, zlib's 4).
#include <isa-l/crc.h>
