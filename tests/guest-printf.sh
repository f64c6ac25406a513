#!/bin/sh
# The guest kit's printf engine against the C library (guest-printf.c).
exec "$XK_TESTS_BUILDDIR/guest-printf"
