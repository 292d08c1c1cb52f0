package io.flinkpersist.persist.archfixture;

import org.apache.flink.api.common.functions.MapFunction;

/** A deliberate violation, used only to prove that the architecture rule can fail. */
public class CoreClassThatImportsFlink implements MapFunction<String, String> {
    @Override
    public String map(String value) {
        return value;
    }
}
