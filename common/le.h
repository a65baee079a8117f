/*
 * Little-endian loads and stores into byte buffers, independent of the host
 * byte order and alignment. No I/O.
 */
#ifndef LE_H
#define LE_H

#include <stdint.h>
#include <string.h>

static inline void
le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
le64_put(uint8_t *p, uint64_t v)
{
	le32_put(p, (uint32_t)v);
	le32_put(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t
le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
le64_get(const uint8_t *p)
{
	return (uint64_t)le32_get(p) | (uint64_t)le32_get(p + 4) << 32;
}

static inline void
lei64_put(uint8_t *p, int64_t v)
{
	le64_put(p, (uint64_t)v);
}

static inline int64_t
lei64_get(const uint8_t *p)
{
	return (int64_t)le64_get(p);
}

static inline void
ledbl_put(uint8_t *p, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	le64_put(p, u);
}

static inline double
ledbl_get(const uint8_t *p)
{
	uint64_t u = le64_get(p);
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

#endif /* LE_H */
