@NullMarked
package com.genericapp.items;

import org.jspecify.annotations.NullMarked;
