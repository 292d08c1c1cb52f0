package io.flinkpersist.persist.batch.part;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.column.values.factory.ValuesWriterFactory;
import org.apache.parquet.column.values.plain.PlainValuesWriter;

/**
 * PLAIN encoding for every column, as persist writes parts. parquet-java's own factory for writer version 2 would
 * pick DELTA encodings for binary and int64 columns, and {@code ParquetWriter} offers no way to change that.
 */
final class PlainValuesWriterFactory implements ValuesWriterFactory {
    private ParquetProperties properties;

    @Override
    public void initialize(ParquetProperties properties) {
        this.properties = properties;
    }

    @Override
    public ValuesWriter newValuesWriter(ColumnDescriptor column) {
        return new PlainValuesWriter(
                properties.getInitialSlabSize(), properties.getPageSizeThreshold(), properties.getAllocator());
    }
}
