/**
 * Calibration statistics that stream and merge ({@link dev.octet.quant.calib.Histogram}) and the
 * range estimators that turn them into ranges: min-max, percentile, entropy (KL) and MSE.
 */
package dev.octet.quant.calib;
