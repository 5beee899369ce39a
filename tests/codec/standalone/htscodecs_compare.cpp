// Experiment for issue 4: Debian's libhtscodecs-dev (rANS 4x16 order 0/1, +RLE 0x40,
// +PACK 0x80; adaptive arithmetic order 0/1) against zstd-entropy and the context
// coder on real activations (.npy from `aecnn dump-features`), thread CPU time:
//   htscodecs_compare FILE.npy BITS [KEEP_CHANNELS]
// Built by tests/codec/standalone only when libhtscodecs is installed. The result
// (resources/results/codec-bench.md) is why no rANS coder was added.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>
extern "C" {
#include <htscodecs/rANS_static4x16.h>
#include <htscodecs/arith_dynamic.h>
}
#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/npy_io.h"
#include "aecnn/codec/quantizer.h"
#include "aecnn/codec/codec_stats.h"
using namespace aecnn::codec;
static double cpu(){timespec t{};clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec+1e-9*t.tv_nsec;}
int main(int argc,char**argv){
  NpyArray a=readNpy(argv[1]); int bits=atoi(argv[2]); unsigned keepC=argc>3?atoi(argv[3]):0;
  size_t n=a.shape[0],C=a.shape[1],H=a.shape[2],W=a.shape[3],per=C*H*W; if(!keepC)keepC=C;
  std::vector<std::vector<uint8_t>> syms; std::vector<SymbolLayout> lays; double h0=0; size_t el=0;
  for(size_t i=0;i<n;i++){FeatureTensor t; t.channels=t.originalChannels=keepC;t.height=H;t.width=W;
    t.values.assign(a.values.begin()+i*per,a.values.begin()+i*per+keepC*H*W);
    auto s=toSymbols(t,Representation::Uniform,bits,true); SymbolLayout l{keepC,(uint32_t)H,(uint32_t)W,Representation::Uniform,bits,{}};
    for(auto&r:s.quant.ranges)l.zeroPoints.push_back(r.zeroPoint);
    h0+=computeSymbolStats(t,s).entropyBitsPerElement*t.elementCount(); el+=t.elementCount(); syms.push_back(s.bytes); lays.push_back(l);}
  printf("%s bits %d shape %zux%zux%zu  H0 %.3f\n",argv[1],bits,(size_t)keepC,H,W,h0/el);
  auto report=[&](const char*name,auto enc,auto dec){ size_t bytes=0; double best=1e9,bestd=1e9; std::vector<std::vector<uint8_t>> out(n);
    for(int r=0;r<7;r++){double c0=cpu(); for(size_t i=0;i<n;i++) out[i]=enc(i); best=std::min(best,cpu()-c0);}
    for(auto&o:out)bytes+=o.size();
    for(int r=0;r<7;r++){double c0=cpu(); for(size_t i=0;i<n;i++){auto d=dec(i,out[i]); if(r==0&&d!=syms[i]){printf("%s MISMATCH\n",name);exit(1);}} bestd=std::min(bestd,cpu()-c0);}
    printf("  %-14s %.3f bit/el (%.3f x H0)  enc %.0f MB/s  dec %.0f MB/s (cpu)\n",name,8.0*bytes/el,8.0*bytes/el/(h0/el),el/1e6/best,el/1e6/bestd);};
  CoderOptions o;
  for(auto id:{CoderId::ZstdEntropy,CoderId::Context}) report(coderName(id).c_str(),[&](size_t i){return encodePayload(id,syms[i],lays[i],o);},[&](size_t i,const std::vector<uint8_t>&p){return decodePayload(id,p.data(),p.size(),syms[i].size(),lays[i],o);});
  for(int order:{0,1,0x41,0x81}){ char nm[32]; snprintf(nm,32,"rans o%x",order);
    report(nm,[&](size_t i){unsigned sz=0; unsigned char*p=rans_compress_4x16(syms[i].data(),syms[i].size(),&sz,order); std::vector<uint8_t> v(p,p+sz); free(p); return v;},
      [&](size_t i,const std::vector<uint8_t>&p){unsigned sz=0; unsigned char*d=rans_uncompress_4x16((unsigned char*)p.data(),p.size(),&sz); std::vector<uint8_t> v(d,d+sz); free(d); return v;});}
  for(int order:{0,1}){ char nm[32]; snprintf(nm,32,"arith o%d",order);
    report(nm,[&](size_t i){unsigned sz=0; unsigned char*p=arith_compress(syms[i].data(),syms[i].size(),&sz,order); std::vector<uint8_t> v(p,p+sz); free(p); return v;},
      [&](size_t i,const std::vector<uint8_t>&p){unsigned sz=0; unsigned char*d=arith_uncompress((unsigned char*)p.data(),p.size(),&sz); std::vector<uint8_t> v(d,d+sz); free(d); return v;});}
}
