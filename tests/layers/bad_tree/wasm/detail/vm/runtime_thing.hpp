#pragma once
// Part of the checker's bad-tree fixture.
