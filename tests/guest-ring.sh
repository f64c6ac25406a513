#!/bin/sh
# The guest kit's byte rings (XenStore, PV console) against a model
# (guest-ring.c).
exec "$XK_TESTS_BUILDDIR/guest-ring"
