/** Small examples, one Outpost feature each; every one is run by a test. */
package dev.outpost.examples.basics;
