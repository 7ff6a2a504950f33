@NullMarked
package com.genericapp.system;

import org.jspecify.annotations.NullMarked;
