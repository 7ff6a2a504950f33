@NullMarked
package com.genericapp;

import org.jspecify.annotations.NullMarked;
